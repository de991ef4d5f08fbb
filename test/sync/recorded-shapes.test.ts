import { describe, expect, test } from 'vitest'
import { nextOffset } from '../../relay/sync/jobs/sources'
import { createQueries } from '../../relay/sync/queries'
import { normaliseActivityDays } from '../../relay/sync/store/normalise-activity'
import { normaliseDevices, normaliseHeartRecords } from '../../relay/sync/store/normalise-heart'
import { normaliseMeasureGroups } from '../../relay/sync/store/normalise-measures'
import { normaliseSleepSummaries } from '../../relay/sync/store/normalise-sleep'
import { normaliseWorkouts } from '../../relay/sync/store/normalise-workouts'
import {
  writeActivityDays,
  writeDevices,
  writeHeartRecords,
  writeMeasureGroups,
  writeSleepSummaries,
  writeWorkouts,
} from '../../relay/sync/store/write-records'
import { phoneDays } from '../fixtures/withings/activity'
import {
  bodyScanGroup,
  lastPageWithoutMore,
  sharedScaleAnswer,
  undocumentedAttribGroups,
} from '../fixtures/withings/getmeas'
import { heartListAnswer } from '../fixtures/withings/heart'
import { aroundMidday, napAndNights, recordedNights } from '../fixtures/withings/sleep'
import { devicesWithUnknowns } from '../fixtures/withings/user'
import { phoneWorkoutsAnswer } from '../fixtures/withings/workouts'
import { pgliteDatabase } from '../support/sync-database'
import { closedAfterEach } from './backends'

// Answers real integrations recorded (test/fixtures/withings, each naming its source), stored as
// they are: nothing skipped that has its keys, nulls kept null, -1 "not available", a guest's
// weighing and undocumented attributions apart from the person's, naps told from nights, an
// item listed twice stored once.

const USER = 42
const database = closedAfterEach(pgliteDatabase)

describe('recorded answers, stored', () => {
  test('Getmeas: a shared scale, a Body Scan, undocumented attributions, a last page without more', async () => {
    const { db } = await database()
    const groups = [
      ...sharedScaleAnswer.body.measuregrps,
      bodyScanGroup,
      ...undocumentedAttribGroups,
    ]
    const { rows, skipped } = normaliseMeasureGroups(USER, groups)
    expect(skipped).toBe(0)
    // 70 at unit -3 is 0.07 (a fat ratio of 0.07 %, as recorded): decoded, not rounded away.
    const first = rows.find((group) => group.grpid === 1)
    expect(first?.rows.find((row) => row.type === 6)?.value).toBe(0.07)
    await writeMeasureGroups(db, USER, rows)
    const stored = await createQueries(db, Date.now).measures(USER, { includeGuests: true })
    const guest = stored.filter((row) => row.attrib === 1)
    expect(guest.length).toBeGreaterThan(0)
    expect(guest.every((row) => !row.is_own)).toBe(true)
    expect(stored.filter((row) => row.attribution.startsWith('unknown:')).length).toBeGreaterThan(0)
    expect(stored.every((row) => row.modelid === null || typeof row.modelid === 'number')).toBe(
      true,
    )
    expect(nextOffset(sharedScaleAnswer.body, 0)).toBeUndefined()
    expect(nextOffset(lastPageWithoutMore.body as Record<string, unknown>, 0)).toBeUndefined()
  })

  test('Getactivity: days a phone counted are days, deviceid null', async () => {
    const { db } = await database()
    const { rows, skipped } = normaliseActivityDays(USER, phoneDays)
    expect(skipped).toBe(0)
    await writeActivityDays(db, USER, rows)
    const days = await createQueries(db, Date.now).activity(USER)
    expect(days).toHaveLength(new Set(phoneDays.map((day) => day.date)).size)
    expect(days.every((day) => day.deviceid === null)).toBe(true)
  })

  test('Getworkouts: phone workouts with null fields, one listed twice, stored once', async () => {
    const { db } = await database()
    const { rows, skipped } = normaliseWorkouts(USER, phoneWorkoutsAnswer.body.series)
    expect(skipped).toBe(0)
    const events = await writeWorkouts(db, USER, rows)
    const ids = new Set(phoneWorkoutsAnswer.body.series.map((workout) => workout.id))
    const made = events.flatMap((event) =>
      event.type === 'workouts.created' ? (event.records ?? []) : [],
    )
    expect(made).toHaveLength(ids.size)
    const stored = await createQueries(db, Date.now).workouts(USER)
    expect(stored).toHaveLength(ids.size)
    expect(stored.every((workout) => workout.deviceid === null)).toBe(true)
    expect(stored.some((workout) => workout.calories === null)).toBe(true)
  })

  test('Sleep: nights and naps told apart, -1 stored as not available', async () => {
    const { db } = await database()
    const periods = [...recordedNights, ...napAndNights, ...aroundMidday]
    const { rows, skipped } = normaliseSleepSummaries(USER, periods)
    expect(skipped).toBe(0)
    await writeSleepSummaries(db, USER, rows)
    const queries = createQueries(db, Date.now)
    const all = await queries.sleep(USER, { naps: true })
    expect(all).toHaveLength(periods.length)
    const naps = all.filter((period) => period.is_nap).map((period) => period.id)
    // Issue 103416's 10:46–12:23 nap, and the nap just after a night that ended after midday.
    expect(naps).toEqual([2, 5])
    expect(all.find((period) => period.id === 6)?.total_sleep_time).toBeNull()
    const recorded = all.filter((period) => period.id > 1000)
    expect(
      recorded.some(
        (period) => (period.data as Record<string, unknown>).apnea_hypopnea_index === -1,
      ),
    ).toBe(true)
  })

  test('Heart v2 List and Getdevice: missing fields null, unknown models and batteries kept', async () => {
    const { db } = await database()
    const heart = normaliseHeartRecords(USER, heartListAnswer.body.series)
    expect(heart.skipped).toBe(0)
    await writeHeartRecords(db, USER, heart.rows)
    const records = await createQueries(db, Date.now).heart(USER)
    expect(records).toHaveLength(heartListAnswer.body.series.length)
    expect(records.some((record) => record.systole === null && record.diastole === null)).toBe(true)
    expect(records.every((record) => record.modified_at === null)).toBe(true)

    const devices = normaliseDevices(USER, devicesWithUnknowns.body.devices)
    expect(devices.skipped).toBe(0)
    await writeDevices(db, USER, devices.rows)
    const stored = await createQueries(db, Date.now).devices(USER)
    // The recording lists several devices under one deviceid: one row a device id, the last kept.
    const ids = new Set(devicesWithUnknowns.body.devices.map((device) => device.deviceid))
    expect(stored).toHaveLength(ids.size)
    expect(devices.rows.some((device) => device.first_session_date === null)).toBe(true)
    expect(devices.rows.some((device) => device.battery === 'unknown')).toBe(true)
  })
})
