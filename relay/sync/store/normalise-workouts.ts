import type { Insertable } from 'kysely'
import type { WorkoutTable } from '../db/schema'
import {
  dayOrNull,
  integerOrNull,
  isRecord,
  measuredFields,
  textOrNull,
  timeOrNull,
} from './untrusted'

// Measure v2 - Getworkouts' series (reference: workout_object): its category id as sent (the
// reference's table names them; an unknown one is kept), the commonest figures as columns, and
// every field of `data` as Withings sent it.

const FIGURES = [
  'calories',
  'steps',
  'distance',
  'elevation',
  'hr_average',
  'hr_min',
  'hr_max',
] as const

export type WorkoutRow = Insertable<WorkoutTable>

export function normaliseWorkouts(userid: number, items: readonly unknown[]) {
  const rows: WorkoutRow[] = []
  let skipped = 0
  for (const item of items) {
    const id = isRecord(item) ? integerOrNull(item.id) : null
    const startdate = isRecord(item) ? timeOrNull(item.startdate) : null
    const enddate = isRecord(item) ? timeOrNull(item.enddate) : null
    const category = isRecord(item) ? integerOrNull(item.category) : null
    if (!isRecord(item) || id === null || !startdate || !enddate || category === null) {
      skipped++
      continue
    }
    const data = isRecord(item.data) ? item.data : {}
    rows.push({
      id,
      userid,
      category,
      attrib: integerOrNull(item.attrib),
      startdate,
      enddate,
      date: dayOrNull(item.date),
      timezone: textOrNull(item.timezone),
      model: integerOrNull(item.model),
      deviceid: textOrNull(item.deviceid),
      ...measuredFields(data, FIGURES),
      modified_at: timeOrNull(item.modified),
      data: JSON.stringify(data),
      raw: JSON.stringify(item),
    })
  }
  return { rows, skipped }
}
