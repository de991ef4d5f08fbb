import { describe, expect, test } from 'vitest'
import type { DataService } from '../../relay/contract/wire-contract'
import { checkCapabilities } from '../../web/app/data/capabilities'
import {
  loadBloodPressure,
  loadSleep,
  loadSteps,
  loadWeight,
} from '../../web/app/data/dashboard-data'
import { DIASTOLIC, SYSTOLIC, WEIGHT } from '../../web/app/data/meastypes'
import { measureOfType } from '../../web/app/data/measure-groups'
import { nightPoints } from '../../web/app/data/nights'
import { dailyPoints, localDay, measurePoints } from '../../web/app/data/series'
import { createWithingsData } from '../../web/react/auth/withings-data'
import { phoneDays, stepsOnlyAnswer } from '../fixtures/withings/activity'
import {
  accountCreationGroup,
  attributedGroups,
  bodyScanGroup,
  bodyScanMetabolismGroup,
  lastPageWithoutMore,
  pulseWaveVelocityGroups,
  sharedScaleAnswer,
  undocumentedAttribGroups,
} from '../fixtures/withings/getmeas'
import { heartListAnswer } from '../fixtures/withings/heart'
import { aroundMidday, napAndNights, recordedNights } from '../fixtures/withings/sleep'
import { devicesAnswer, devicesWithUnknowns, noGoalsAnswer } from '../fixtures/withings/user'
import { phoneWorkoutsAnswer } from '../fixtures/withings/workouts'
import { fakeRelay } from '../support/fake-relay'

// The SPA's parsers on answers real integrations recorded (test/fixtures/withings names each
// source): what a person sees is their own data, one value per measure and one bar per night.

/** The data client over a relay that answers every call of a service with one envelope. */
function answering(answers: Partial<Record<DataService, unknown>>) {
  const relay = fakeRelay({
    withings: async (service) => answers[service] ?? { status: 0, body: {} },
  })
  return createWithingsData({ relay, onSessionEnded: () => {} })
}

const HEIGHT = 4
const FAT_FREE_MASS = 5
const FAT_RATIO = 6
const FAT_MASS = 8
const PULSE_WAVE_VELOCITY = 91

describe('measure groups: the person’s own measures', () => {
  test('a guest’s weighing on a shared scale (attrib 1) is never the latest weight', async () => {
    const points = await loadWeight(answering({ measure: sharedScaleAnswer }))
    expect(points).toEqual([
      { time: 1564657200_000, value: 71 },
      { time: 1564660800_000, value: 70 },
    ])
    // The guest weighed in last, an hour later, at 71.
    expect(points.at(-1)?.time).toBeLessThan(1564664400_000)
  })

  test('entries made by hand (attrib 2, no device) count; ambiguous and undocumented do not', () => {
    expect(measurePoints(attributedGroups, WEIGHT)).toEqual([{ time: 1620237216_000, value: 56.3 }])
    // attrib 0 twice; the attrib 1 reading (122) and the attrib 17 one (143) are left out.
    expect(measurePoints(attributedGroups, SYSTOLIC).map((p) => p.value)).toEqual([170, 177])
    expect(measurePoints(attributedGroups, DIASTOLIC).map((p) => p.value)).toEqual([81, 96])
  })

  test('a height entered when the account was made (attrib 4) is the person’s', () => {
    expect(measurePoints([accountCreationGroup], HEIGHT)).toEqual([
      { time: 1620237216_000, value: 1.6 },
    ])
  })

  test('blood pressure through the dashboard’s loader: the same groups, the same choice', async () => {
    const { systolic, diastolic } = await loadBloodPressure(
      answering({ measure: { status: 0, body: { measuregrps: attributedGroups, more: 0 } } }),
    )
    expect(systolic.map((p) => p.time)).toEqual(diastolic.map((p) => p.time))
    expect(systolic.map((p) => p.value)).toEqual([170, 177])
  })

  test('a type repeated with a position: the whole-body value once, never a body part', () => {
    const at = bodyScanGroup.date * 1000
    expect(measurePoints([bodyScanGroup], WEIGHT)).toEqual([{ time: at, value: 95.854 }])
    expect(measurePoints([bodyScanGroup], FAT_FREE_MASS)).toEqual([{ time: at, value: 77.18 }])
    expect(measurePoints([bodyScanGroup], FAT_MASS)).toEqual([{ time: at, value: 18.66 }])
    expect(measurePoints([bodyScanGroup], FAT_RATIO)).toEqual([{ time: at, value: 19.467 }])
    // Segmental fat-free mass (173) and muscle mass (175): five body parts, no single value.
    expect(measureOfType(bodyScanGroup.measures, 173)).toBeUndefined()
    expect(measureOfType(bodyScanGroup.measures, 175)).toBeUndefined()
    // One place only (a cuff on the left arm, position 3): that is the value.
    expect(measureOfType([{ type: SYSTOLIC, value: 121, unit: 0, position: 3 }], SYSTOLIC)).toEqual(
      { type: SYSTOLIC, value: 121, unit: 0, position: 3 },
    )
  })

  test('pulse wave velocity sent twice (attrib 8 and 10): the attrib-8 whole-body value', () => {
    expect(measurePoints(pulseWaveVelocityGroups, PULSE_WAVE_VELOCITY)).toEqual([
      { time: 1783496095_000, value: 7.705 },
    ])
  })
})

describe('sleep summaries: one point per night', () => {
  test('recorded nights, with -1 in fields the chart does not read, one bar each', () => {
    expect(nightPoints(recordedNights)).toEqual([
      { time: localDay('2021-04-16'), value: 16_860 },
      { time: localDay('2021-04-17'), value: 26_880 },
      { time: localDay('2021-04-18'), value: 18_660 },
    ])
  })

  test('a nap filed under the same day as the night is not that night, nor added to it', () => {
    expect(nightPoints(napAndNights)).toEqual([
      { time: localDay('2023-11-04'), value: 25_200 },
      { time: localDay('2023-11-05'), value: 25_800 },
    ])
    // Alone, nothing tells a late-morning nap from a short late night: it is the day’s sleep.
    expect(nightPoints([napAndNights[1]])).toEqual([{ time: localDay('2023-11-04'), value: 5_100 }])
  })

  test('around midday: a night ending after it is a night, a nap starting after it never is', () => {
    const [lateNight, afternoonNap] = aroundMidday
    expect(nightPoints([afternoonNap, lateNight])).toEqual([
      { time: localDay('2023-11-06'), value: 31_200 },
    ])
    expect(nightPoints([afternoonNap])).toEqual([])
  })

  test('a night whose sleep time is not available (-1) has no point, and no value is below 0', async () => {
    const answer = { status: 0, body: { series: [...napAndNights, ...aroundMidday], more: false } }
    const points = await loadSleep(answering({ 'v2/sleep': answer }))
    expect(points.map((p) => p.time)).toEqual(
      ['2023-11-04', '2023-11-05', '2023-11-06'].map(localDay),
    )
    expect(points.every((p) => p.value >= 0)).toBe(true)
  })

  test('a summary in an unknown time zone is read on the browser’s clock', () => {
    const [night] = recordedNights
    expect(nightPoints([{ ...night, timezone: 'Not/AZone' }])).toEqual([
      { time: localDay('2021-04-17'), value: 26_880 },
    ])
  })
})

describe('activity: every day counts, whatever counted it', () => {
  test('days from a phone (deviceid null, is_tracker false) are charted', () => {
    expect(dailyPoints(phoneDays, 'steps')).toEqual([
      { time: localDay('2023-10-08'), value: 1892 },
      { time: localDay('2023-10-09'), value: 2576 },
      { time: localDay('2023-10-10'), value: 1827 },
    ])
  })

  test('an answer for data_fields=steps without a device, through the loader', async () => {
    const points = await loadSteps(answering({ 'v2/measure': stepsOnlyAnswer }))
    expect(points).toEqual([
      { time: localDay('2022-07-21'), value: 4215 },
      { time: localDay('2022-07-22'), value: 922 },
    ])
  })
})

describe('answers the dashboard does not chart', () => {
  test('goals: [] and a device without first_session_date are ordinary answers', async () => {
    const data = answering({ 'v2/user': devicesAnswer })
    expect((await data.call('v2/user', 'getdevice')).devices).toEqual(devicesAnswer.body.devices)
    const capabilities = await checkCapabilities(data, ['user.info'], async () => ({
      categories: [],
    }))
    expect(capabilities.find((c) => c.scope === 'user.info')?.result).toBe('allowed')
    const goals = answering({ 'v2/user': noGoalsAnswer })
    expect((await goals.call('v2/user', 'getgoals')).goals).toEqual([])
  })
})

describe('shapes of issue 19: nothing crashes, nothing wrong is shown', () => {
  test('a last page without more or offset: one call; a weighing sent as attrib 0 and 8 is one point', async () => {
    let calls = 0
    const relay = fakeRelay({
      withings: async () => {
        calls++
        return lastPageWithoutMore
      },
    })
    const points = await loadWeight(createWithingsData({ relay, onSessionEnded: () => {} }))
    expect(calls).toBe(1)
    expect(points).toEqual([{ time: 1693651151_000, value: 118.003 }])
  })

  test('a Body Scan 2: its undocumented 10009/10010 groups are not the person’s, 226/227 are not weight', async () => {
    const groups = [...undocumentedAttribGroups, bodyScanMetabolismGroup]
    const at = bodyScanMetabolismGroup.date * 1000
    // The 10009 group's weight (98.408 kg) at the same moment is neither charted nor the latest.
    expect(measurePoints(groups, WEIGHT)).toEqual([{ time: at, value: 95.908 }])
    const points = await loadWeight(
      answering({ measure: { status: 0, body: { measuregrps: groups } } }),
    )
    expect(points.at(-1)).toEqual({ time: at, value: 95.908 })
    expect(measurePoints(groups, FAT_RATIO)).toEqual([{ time: at, value: 19.904 }])
    expect(measureOfType(bodyScanMetabolismGroup.measures, 226)).toMatchObject({ value: 2252 })
  })

  test('ECGs without bloodpressure and devices with "unknown" and "": the capability checks answer', async () => {
    const data = answering({ 'v2/heart': heartListAnswer, 'v2/user': devicesWithUnknowns })
    const capabilities = await checkCapabilities(data, ['user.metrics', 'user.info'], async () => ({
      categories: [],
    }))
    expect(capabilities.filter((c) => c.result === 'allowed').map((c) => c.scope)).toEqual([
      'user.info',
      'user.metrics',
    ])
    expect((await data.call('v2/heart', 'list')).series).toEqual(heartListAnswer.body.series)
  })

  test('workouts with deviceid null, null fields, a data of one null and an id twice come as sent', async () => {
    const data = answering({ 'v2/measure': phoneWorkoutsAnswer })
    const workouts = await data.all('v2/measure', 'getworkouts', {}, 'series')
    expect(workouts).toEqual(phoneWorkoutsAnswer.body.series)
  })
})
