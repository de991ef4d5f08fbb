import type { Insertable } from 'kysely'
import type { WorkoutTable } from '../db/schema'
import {
  dayOrNull,
  integerOrNull,
  isRecord,
  measuredFields,
  readEach,
  textOrNull,
  timeOrNull,
} from './field-readers'

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
  return readEach(items, (item): WorkoutRow | undefined => {
    const id = integerOrNull(item.id)
    const startdate = timeOrNull(item.startdate)
    const enddate = timeOrNull(item.enddate)
    const category = integerOrNull(item.category)
    if (id === null || !startdate || !enddate || category === null) return undefined
    const data = isRecord(item.data) ? item.data : {}
    return {
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
    }
  })
}
