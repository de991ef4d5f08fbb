import type { ServiceHandler } from './data-service'
import { createPrng } from './prng'
import { InvalidParams, offsetParam, optionalInt, page, requiredInt } from './query'
import type { SeedContext } from './seed-context'

// Heart v2 - List and Get (reference: heartv2-list, heart_measurement_object, heartv2-get).
// Recordings come from the user's BPM Core, which also measures blood pressure, and from their
// watch, which does not: its entries have no `bloodpressure` at all, as a Move ECG's (reference
// model table; vangorra/python_withings_api's heart_list test). Like the BPM Core list that test
// recorded, entries carry no `modified` and no `timezone`, though the reference shows both.

export interface HeartRecord {
  deviceid: string
  /** 44: BPM Core (reference); 93: ScanWatch (python_withings_api's HeartModel). */
  model: number
  ecg: { signalid: number; afib: number }
  /** Only from a device that measures it. */
  bloodpressure?: { diastole: number; systole: number }
  heart_rate: number
  timestamp: number
}

/** Days before "today" with a recording, its afib result (0 negative, 2 inconclusive), and what took it. */
const RECORDINGS = [
  { daysAgo: 2, afib: 0, by: 'bpm' },
  { daysAgo: 9, afib: 0, by: 'watch' },
  { daysAgo: 17, afib: 0, by: 'bpm' },
  { daysAgo: 41, afib: 2, by: 'bpm' },
  { daysAgo: 64, afib: 2, by: 'watch' },
  { daysAgo: 88, afib: 0, by: 'bpm' },
] as const

export function seedHeart(ctx: SeedContext): HeartRecord[] {
  const { days, devices, until, user } = ctx
  const random = ctx.random('heart')
  return RECORDINGS.flatMap(({ daysAgo, afib, by }, index) => {
    const day = days[days.length - 1 - daysAgo]
    if (!day) return []
    const timestamp = ctx.at(day, random.int(8 * 60 + 30, 10 * 60))
    const pressure = { diastole: random.int(70, 84), systole: random.int(110, 132) }
    const record: HeartRecord = {
      deviceid: devices[by].deviceid,
      model: devices[by].model_id,
      ecg: { signalid: user.userid * 100 + index + 1, afib },
      ...(by === 'bpm' && { bloodpressure: pressure }),
      heart_rate: random.int(58, 82),
      timestamp,
    }
    return timestamp + 60 <= until ? [record] : []
  })
}

export const listHeart: ServiceHandler = ({ params, data, pageSize }) => {
  const startdate = optionalInt(params, 'startdate')
  const enddate = optionalInt(params, 'enddate')
  const offset = offsetParam(params)
  const matching = data.ecgs
    .filter(
      (record) =>
        (startdate === undefined || record.timestamp >= startdate) &&
        (enddate === undefined || record.timestamp <= enddate),
    )
    .sort((a, b) => b.timestamp - a.timestamp)
  const result = page(matching, offset, pageSize)
  return { series: result.items, more: result.more, offset: result.offset }
}

/** BPM Core: 500 Hz (reference). Two seconds of signal keep the payload small. */
const SAMPLING_FREQUENCY = 500
const SIGNAL_SECONDS = 2

export const getHeart: ServiceHandler = ({ params, data }) => {
  const signalid = requiredInt(params, 'signalid')
  const record = data.ecgs.find((candidate) => candidate.ecg.signalid === signalid)
  if (!record) throw new InvalidParams('signalid')
  return {
    signal: ecgSignal(record.heart_rate, `${data.user.userid}:ecg:${signalid}`),
    sampling_frequency: SAMPLING_FREQUENCY,
    // Reference, wearposition: 3 the left arm, where a BPM Core cuff goes; 1 the left wrist.
    wearposition: record.deviceid === data.devices.bpm.deviceid ? 3 : 1,
    model: record.model,
    heart_rate: record.heart_rate,
  }
}

/** A plausible lead-I trace in µV: P wave, QRS complex and T wave per beat, a little noise. */
function ecgSignal(heartRate: number, seed: string): number[] {
  const random = createPrng(seed)
  const beat = 60 / heartRate
  const wave = (phase: number, centre: number, width: number, height: number) =>
    height * Math.exp(-(((phase - centre) / width) ** 2))
  return Array.from({ length: SAMPLING_FREQUENCY * SIGNAL_SECONDS }, (_, i) => {
    const phase = ((i / SAMPLING_FREQUENCY) % beat) / beat
    const value =
      wave(phase, 0.2, 0.03, 120) +
      wave(phase, 0.33, 0.008, -140) +
      wave(phase, 0.35, 0.01, 1100) +
      wave(phase, 0.37, 0.009, -300) +
      wave(phase, 0.6, 0.05, 320)
    return Math.round(value + random.normal(0, 12))
  })
}
