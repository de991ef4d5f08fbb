import type { Insertable } from 'kysely'
import type { SleepSegmentTable, SleepSummaryTable } from '../db/schema'
import {
  dayOrNull,
  type Fields,
  integerOrNull,
  isRecord,
  measuredFields,
  readEach,
  textOrNull,
  timeOrNull,
} from './field-readers'

// Sleep v2 - Getsummary's periods (reference: sleep_summary_object) and Sleep v2 - Get's states.
// Withings sends one summary per sleep period, naps included, filed under the day it ends on,
// and nothing marks a nap (aiowithings' maintainer, home-assistant/core issue 103246). Every
// period is stored; `is_nap` (set by the store once a day's periods are known) tells them apart:
// a period that began after midday of its day is a nap, and of the others the longest in bed is
// the night. -1 is "not available" (home-assistant/core's sleep_summaries.json): null here.

const FIGURES = [
  'total_timeinbed',
  'total_sleep_time',
  'lightsleepduration',
  'deepsleepduration',
  'remsleepduration',
  'sleep_efficiency',
  'sleep_score',
  'hr_average',
  'rr_average',
  'wakeupcount',
] as const

export type SleepSummaryRow = Omit<Insertable<SleepSummaryTable>, 'is_nap'>

export function normaliseSleepSummaries(userid: number, items: readonly unknown[]) {
  return readEach(items, (item) => summaryRow(userid, item))
}

function summaryRow(userid: number, item: Fields): SleepSummaryRow | undefined {
  const id = integerOrNull(item.id)
  const date = dayOrNull(item.date)
  const startdate = timeOrNull(item.startdate)
  const enddate = timeOrNull(item.enddate)
  if (id === null || date === null || !startdate || !enddate) return undefined
  const data = isRecord(item.data) ? item.data : {}
  const timezone = textOrNull(item.timezone)
  return {
    id,
    userid,
    date,
    startdate,
    enddate,
    timezone,
    model: integerOrNull(item.model),
    model_id: integerOrNull(item.model_id),
    hash_deviceid: textOrNull(item.hash_deviceid),
    starts_after_midday: wallHour(startdate, timezone) >= `${date} 12`,
    ...measuredFields(data, FIGURES),
    created_at: timeOrNull(item.created),
    modified_at: timeOrNull(item.modified),
    data: JSON.stringify(data),
    raw: JSON.stringify(item),
  }
}

const clocks = new Map<string, Intl.DateTimeFormat>()

/** `YYYY-MM-DD HH` on the wall clock of the period's zone (UTC for an unknown one). */
function wallHour(at: Date, timeZone: string | null): string {
  const key = timeZone ?? 'UTC'
  let clock = clocks.get(key)
  if (!clock) {
    const fields = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit' } as const
    try {
      clock = new Intl.DateTimeFormat('en-CA', { ...fields, hourCycle: 'h23', timeZone: key })
    } catch {
      clock = new Intl.DateTimeFormat('en-CA', { ...fields, hourCycle: 'h23', timeZone: 'UTC' })
    }
    clocks.set(key, clock)
  }
  const parts = new Map(clock.formatToParts(at).map((part) => [part.type, part.value]))
  return `${parts.get('year')}-${parts.get('month')}-${parts.get('day')} ${parts.get('hour')}`
}

export type SleepSegmentRow = Insertable<SleepSegmentTable>

/** Sleep v2 - Get's series: one state a segment (0 awake, 1 light, 2 deep, 3 REM), signals kept. */
export function normaliseSleepSegments(userid: number, items: readonly unknown[]) {
  return readEach(items, (item): SleepSegmentRow | undefined => {
    const startdate = timeOrNull(item.startdate)
    const enddate = timeOrNull(item.enddate)
    const state = integerOrNull(item.state)
    if (!startdate || !enddate || state === null) return undefined
    const { startdate: _s, enddate: _e, state: _t, model, model_id, ...signals } = item
    return {
      userid,
      startdate,
      enddate,
      state,
      model: textOrNull(model),
      model_id: integerOrNull(model_id),
      signals: Object.keys(signals).length > 0 ? JSON.stringify(signals) : null,
    }
  })
}
