import { addDays } from './calendar'
import type { ServiceHandler } from './data-service'
import { createPrng, type Prng } from './prng'
import { dataFields, dayWindowPage, pickFields, requiredInt } from './query'
import type { SeedContext } from './seed-context'

// Sleep v2 - Getsummary and Get (reference: sleepv2-getsummary, sleep_summary_object,
// sleepv2-get). A sleep period belongs to the day it ends on (`date`), like Withings files it.

export interface SleepSummary {
  id: number
  timezone: string
  /** 16: tracker, 32: sleep monitor (reference). */
  model: number
  model_id: number
  startdate: number
  enddate: number
  date: string
  created: number
  modified: number
  hash_deviceid: string
  completed: boolean
  data: SleepData
}

export interface SleepData {
  total_timeinbed: number
  total_sleep_time: number
  lightsleepduration: number
  remsleepduration: number
  deepsleepduration: number
  sleep_efficiency: number
  sleep_latency: number
  wakeup_latency: number
  wakeupduration: number
  wakeupcount: number
  waso: number
  nb_rem_episodes: number
  durationtosleep: number
  durationtowakeup: number
  out_of_bed_count: number
  hr_average: number
  hr_min: number
  hr_max: number
  rr_average: number
  rr_min: number
  rr_max: number
  breathing_disturbances_intensity: number
  snoring: number
  snoringepisodecount: number
  sleep_score: number
}

/** Days before "today" with a nap, after midday or late in the morning. */
const NAPS = [
  { daysAgo: 2, from: 14 * 60 },
  { daysAgo: 6, from: 10 * 60 + 40 },
  { daysAgo: 11, from: 15 * 60 },
  { daysAgo: 19, from: 13 * 60 + 30 },
  { daysAgo: 24, from: 10 * 60 + 50 },
  { daysAgo: 37, from: 14 * 60 + 30 },
  { daysAgo: 58, from: 16 * 60 },
  { daysAgo: 96, from: 13 * 60 },
  { daysAgo: 140, from: 11 * 60 },
] as const

/** Days before "today" whose night the tracker recorded but could not stage. */
const UNSTAGED_NIGHTS = [4, 47, 130]

/** Withings' "not available" (home-assistant/core's sleep_summaries.json fixture). */
const NOT_AVAILABLE = -1

type Period = Omit<SleepSummary, 'id'>

/**
 * One summary per sleep period, as Withings sends them: the nights, and naps filed under the day
 * they happen (nothing in a summary says it is a nap; home-assistant/core issue 103246). Some
 * fields say -1 for "not available": breathing disturbances on some nights, what a nap is not
 * scored on, and on a few nights the sleep time itself.
 */
export function seedSleep(ctx: SeedContext): SleepSummary[] {
  const { days, devices, until, user } = ctx
  const random = ctx.random('sleep')
  const unavailable = ctx.random('sleep-unavailable')
  const daysAgo = (day: string) => days.length - 1 - days.indexOf(day)
  const periods: Period[] = []
  const period = (startdate: number, enddate: number, date: string, created: number) => ({
    timezone: user.timezone,
    model: 16,
    model_id: devices.watch.model_id,
    startdate,
    enddate,
    date,
    created,
    modified: created,
    hash_deviceid: devices.watch.deviceid,
    completed: true,
  })

  for (const day of days) {
    const slept = random.chance(0.96)
    // Bed between 22:00 and 00:30 the evening before `day`.
    const startdate = ctx.at(addDays(day, -1), random.int(22 * 60, 24 * 60 + 30))
    const inBed = random.int(390, 540) * 60
    const latency = random.int(5, 30) * 60
    const wakeupLatency = random.int(1, 15) * 60
    const waso = random.int(5, 40) * 60
    const asleep = inBed - latency - wakeupLatency - waso
    const deep = Math.round(asleep * random.between(0.15, 0.25))
    const rem = Math.round(asleep * random.between(0.18, 0.25))
    const hr = random.int(52, 64)
    const rr = random.int(13, 16)
    const snoring = random.int(0, 30) * 60
    const enddate = startdate + inBed
    const created = enddate + random.int(300, 1800)
    const wakeups = random.int(0, 4)
    const remEpisodes = random.int(3, 6)
    const outOfBed = random.int(0, 2)
    const hrMin = hr - random.int(5, 9)
    const hrMax = hr + random.int(12, 25)
    const rrMin = rr - random.int(2, 4)
    const rrMax = rr + random.int(2, 5)
    const disturbances = random.int(0, 25)
    const breathingUnknown = unavailable.chance(0.2)
    if (!slept || created > until) continue
    const efficiency = asleep / inBed
    const data: SleepData = {
      total_timeinbed: inBed,
      total_sleep_time: asleep,
      lightsleepduration: asleep - deep - rem,
      remsleepduration: rem,
      deepsleepduration: deep,
      sleep_efficiency: Math.round(efficiency * 100) / 100,
      sleep_latency: latency,
      wakeup_latency: wakeupLatency,
      wakeupduration: latency + waso + wakeupLatency,
      wakeupcount: wakeups,
      waso,
      nb_rem_episodes: remEpisodes,
      durationtosleep: latency,
      durationtowakeup: wakeupLatency,
      out_of_bed_count: outOfBed,
      hr_average: hr,
      hr_min: hrMin,
      hr_max: hrMax,
      rr_average: rr,
      rr_min: rrMin,
      rr_max: rrMax,
      breathing_disturbances_intensity: breathingUnknown ? NOT_AVAILABLE : disturbances,
      snoring,
      snoringepisodecount: Math.round(snoring / 600),
      sleep_score: Math.round(
        Math.min(98, Math.max(40, 30 + (asleep / 3600) * 6 + efficiency * 25 - waso / 600)),
      ),
    }
    const unstaged = UNSTAGED_NIGHTS.includes(daysAgo(day))
    periods.push({
      ...period(startdate, enddate, day, created),
      data: unstaged ? withoutStages(data) : data,
    })
  }

  const naps = ctx.random('naps')
  for (const { daysAgo: ago, from } of NAPS) {
    const day = days[days.length - 1 - ago]
    const startdate = day === undefined ? 0 : ctx.at(day, from + naps.int(0, 25))
    const data = napData(naps)
    const enddate = startdate + data.total_timeinbed
    const created = enddate + naps.int(300, 1800)
    if (day === undefined || created > until) continue
    periods.push({ ...period(startdate, enddate, day, created), data })
  }

  return periods
    .sort((a, b) => a.startdate - b.startdate)
    .map((summary, index) => ({ id: user.userid * 1000 + index + 1, ...summary }))
}

/** A nap of 25 to 95 minutes: light and deep sleep, and none of what a nap is not scored on. */
function napData(random: Prng): SleepData {
  const inBed = random.int(25, 95) * 60
  const latency = random.int(3, 12) * 60
  const wakeupLatency = random.int(1, 5) * 60
  const asleep = inBed - latency - wakeupLatency
  const deep = Math.round(asleep * random.between(0.1, 0.3))
  const hr = random.int(56, 68)
  return {
    total_timeinbed: inBed,
    total_sleep_time: asleep,
    lightsleepduration: asleep - deep,
    remsleepduration: 0,
    deepsleepduration: deep,
    sleep_efficiency: Math.round((asleep / inBed) * 100) / 100,
    sleep_latency: latency,
    wakeup_latency: wakeupLatency,
    wakeupduration: latency + wakeupLatency,
    wakeupcount: 0,
    waso: 0,
    nb_rem_episodes: 0,
    durationtosleep: latency,
    durationtowakeup: wakeupLatency,
    out_of_bed_count: 0,
    hr_average: hr,
    hr_min: hr - 4,
    hr_max: hr + 9,
    rr_average: NOT_AVAILABLE,
    rr_min: NOT_AVAILABLE,
    rr_max: NOT_AVAILABLE,
    breathing_disturbances_intensity: NOT_AVAILABLE,
    snoring: NOT_AVAILABLE,
    snoringepisodecount: NOT_AVAILABLE,
    sleep_score: NOT_AVAILABLE,
  }
}

/** A night in bed whose stages, and so its sleep time and score, are not available. */
function withoutStages(data: SleepData): SleepData {
  return {
    ...data,
    total_sleep_time: NOT_AVAILABLE,
    lightsleepduration: NOT_AVAILABLE,
    remsleepduration: NOT_AVAILABLE,
    deepsleepduration: NOT_AVAILABLE,
    sleep_efficiency: NOT_AVAILABLE,
    nb_rem_episodes: NOT_AVAILABLE,
    sleep_score: NOT_AVAILABLE,
  }
}

export const getsummary: ServiceHandler = ({ params, data, pageSize }) => {
  const { items, more, offset, fields } = dayWindowPage(data.sleepSummaries, params, pageSize)
  return {
    series: items.map((period) => ({ ...period, data: pickFields(period.data, fields) })),
    more,
    offset,
  }
}

/** Sleep states (reference, sleepv2-get): 0 awake, 1 light, 2 deep, 3 REM. */
type SleepState = 0 | 1 | 2 | 3

interface Segment {
  startdate: number
  enddate: number
  state: SleepState
}

/** A night cut into states whose durations add up to its summary. */
function segments(night: SleepSummary): Segment[] {
  const d = night.data
  // A nap has no REM episode, still one cycle of light and deep sleep.
  const cycles = Math.max(1, d.nb_rem_episodes)
  const parts: [SleepState, number][] = [[0, d.sleep_latency]]
  for (let cycle = 0; cycle < cycles; cycle++) {
    const share = (total: number) =>
      cycle === cycles - 1
        ? total - Math.floor(total / cycles) * (cycles - 1)
        : Math.floor(total / cycles)
    parts.push(
      [1, share(d.lightsleepduration)],
      [2, share(d.deepsleepduration)],
      [3, share(d.remsleepduration)],
    )
    if (cycle === Math.floor(cycles / 2)) parts.push([0, d.waso])
  }
  parts.push([0, d.wakeup_latency])
  const result: Segment[] = []
  let time = night.startdate
  for (const [state, seconds] of parts) {
    if (seconds <= 0) continue
    result.push({ startdate: time, enddate: time + seconds, state })
    time += seconds
  }
  return result
}

const DAY_SECONDS = 24 * 60 * 60
const SIGNALS = ['hr', 'rr', 'snoring'] as const

/** "Only the first 24h after startdate will be returned." */
export const getSleep: ServiceHandler = ({ params, data }) => {
  const startdate = requiredInt(params, 'startdate')
  const enddate = Math.min(requiredInt(params, 'enddate'), startdate + DAY_SECONDS)
  const fields = dataFields(params)
  const { watch } = data.devices
  const series = data.sleepSummaries
    .filter((night) => night.enddate > startdate && night.startdate < enddate)
    .flatMap(segments)
    .filter((segment) => segment.enddate > startdate && segment.startdate < enddate)
    .map((segment) => {
      const random = createPrng(`${data.user.userid}:sleep-state:${segment.startdate}`)
      const item: Record<string, unknown> = {
        ...segment,
        model: watch.model,
        model_id: watch.model_id,
      }
      for (const signal of SIGNALS) {
        if (!fields?.has(signal)) continue
        const value =
          signal === 'hr'
            ? random.int(segment.state === 0 ? 60 : 50, segment.state === 0 ? 72 : 62)
            : signal === 'rr'
              ? random.int(12, 17)
              : random.chance(0.2)
                ? random.int(10, 60)
                : 0
        item[signal] = { [String(segment.startdate)]: value }
      }
      return item
    })
  return { series, model: 16 }
}
