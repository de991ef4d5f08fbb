import { addDays } from './calendar'
import { createPrng } from './prng'
import { dataFields, dayWindow, offsetParam, page, pickFields, requiredInt } from './query'
import type { SeedContext } from './seed-context'
import type { ServiceHandler } from './service'

// Sleep v2 - Getsummary and Get (reference: sleepv2-getsummary, sleep_summary_object,
// sleepv2-get). A night belongs to the day it ends on (`date`), like Withings files it.

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

export function seedSleep(ctx: SeedContext): SleepSummary[] {
  const { days, devices, until, user } = ctx
  const random = ctx.random('sleep')
  const nights: SleepSummary[] = []
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
    if (!slept || created > until) continue
    const efficiency = asleep / inBed
    nights.push({
      id: user.userid * 1000 + nights.length + 1,
      timezone: user.timezone,
      model: 16,
      model_id: devices.watch.model_id,
      startdate,
      enddate,
      date: day,
      created,
      modified: created,
      hash_deviceid: devices.watch.deviceid,
      completed: true,
      data: {
        total_timeinbed: inBed,
        total_sleep_time: asleep,
        lightsleepduration: asleep - deep - rem,
        remsleepduration: rem,
        deepsleepduration: deep,
        sleep_efficiency: Math.round(efficiency * 100) / 100,
        sleep_latency: latency,
        wakeup_latency: wakeupLatency,
        wakeupduration: latency + waso + wakeupLatency,
        wakeupcount: random.int(0, 4),
        waso,
        nb_rem_episodes: random.int(3, 6),
        durationtosleep: latency,
        durationtowakeup: wakeupLatency,
        out_of_bed_count: random.int(0, 2),
        hr_average: hr,
        hr_min: hr - random.int(5, 9),
        hr_max: hr + random.int(12, 25),
        rr_average: rr,
        rr_min: rr - random.int(2, 4),
        rr_max: rr + random.int(2, 5),
        breathing_disturbances_intensity: random.int(0, 25),
        snoring,
        snoringepisodecount: Math.round(snoring / 600),
        sleep_score: Math.round(
          Math.min(98, Math.max(40, 30 + (asleep / 3600) * 6 + efficiency * 25 - waso / 600)),
        ),
      },
    })
  }
  return nights
}

export const getsummary: ServiceHandler = ({ params, data, pageSize }) => {
  const window = dayWindow(params)
  const fields = dataFields(params)
  const offset = offsetParam(params)
  const matching = data.sleepSummaries.filter((night) =>
    window.kind === 'days'
      ? night.date >= window.start && night.date <= window.end
      : night.modified >= window.since,
  )
  const result = page(matching, offset, pageSize)
  return {
    series: result.items.map((night) => ({ ...night, data: pickFields(night.data, fields) })),
    more: result.more,
    offset: result.offset,
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
  const cycles = d.nb_rem_episodes
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
