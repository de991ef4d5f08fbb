import type { Insertable } from 'kysely'
import type { ActivityDayTable, IntradayActivityTable } from '../db/schema'
import {
  booleanOrNull,
  dayOrNull,
  type Fields,
  integerOrNull,
  isRecord,
  measuredFields,
  readEach,
  textOrNull,
  timeOrNull,
} from './field-readers'

// Measure v2 - Getactivity's days (reference: activity_object) and Getintradayactivity's
// samples. A day counted by a phone has `deviceid: null` and `is_tracker: false`
// (home-assistant/core's activity.json fixture): it is a day like another. -1 is "not available".

const DAY_FIELDS = [
  'steps',
  'distance',
  'elevation',
  'soft',
  'moderate',
  'intense',
  'active',
  'calories',
  'totalcalories',
  'hr_average',
  'hr_min',
  'hr_max',
  'hr_zone_0',
  'hr_zone_1',
  'hr_zone_2',
  'hr_zone_3',
] as const

export type ActivityDayRow = Insertable<ActivityDayTable>

export function normaliseActivityDays(userid: number, items: readonly unknown[]) {
  return readEach(items, (item): ActivityDayRow | undefined => {
    const date = dayOrNull(item.date)
    if (date === null) return undefined
    return {
      userid,
      date,
      timezone: textOrNull(item.timezone),
      deviceid: textOrNull(item.deviceid),
      hash_deviceid: textOrNull(item.hash_deviceid),
      brand: integerOrNull(item.brand),
      is_tracker: booleanOrNull(item.is_tracker),
      model: textOrNull(item.model),
      modelid: integerOrNull(item.modelid ?? item.model_id),
      ...measuredFields(item, DAY_FIELDS),
      modified_at: timeOrNull(item.modified),
      raw: JSON.stringify(item),
    }
  })
}

const SAMPLE_FIELDS = [
  'steps',
  'elevation',
  'calories',
  'distance',
  'duration',
  'heart_rate',
  'spo2_auto',
] as const

export type IntradayRow = Insertable<IntradayActivityTable>

/** Getintradayactivity's `series`: an object keyed by Unix time (reference). */
export function normaliseIntraday(userid: number, series: unknown) {
  const rows: IntradayRow[] = []
  let skipped = 0
  if (!isRecord(series)) return { rows, skipped }
  for (const [key, sample] of Object.entries(series)) {
    const at = /^\d{1,12}$/.test(key) ? timeOrNull(Number(key)) : null
    if (at === null || !isRecord(sample)) {
      skipped++
      continue
    }
    rows.push(sampleRow(userid, at, sample))
  }
  return { rows, skipped }
}

function sampleRow(userid: number, at: Date, sample: Fields): IntradayRow {
  return {
    userid,
    at,
    ...measuredFields(sample, SAMPLE_FIELDS),
    deviceid: textOrNull(sample.deviceid),
    model: textOrNull(sample.model),
    model_id: integerOrNull(sample.model_id),
    raw: JSON.stringify(sample),
  }
}
