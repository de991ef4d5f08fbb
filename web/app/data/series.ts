import { type MeasTypeCode, realValue } from './meastypes'
import { isOwnGroup, measureOfType } from './measure-groups'
import { isFiniteNumber, isRecord } from './untrusted'

// Withings' answers (typed `unknown` until each field is checked) turned into the points the
// charts draw, oldest first. Items that do not have the expected shape are skipped.

export interface Point {
  /** ms since the epoch: when it was measured, or the start of the local day it belongs to. */
  time: number
  value: number
}

/**
 * One measure type from Getmeas' measure groups: the person's own measures only, one point per
 * weighing. One may come twice, same `grpid` and `date`, as attrib 0 and attrib 8 ("same as 0";
 * aiowithings' measurement.json fixture): it is one point.
 */
export function measurePoints(groups: readonly unknown[], type: MeasTypeCode): Point[] {
  const points: Point[] = []
  const seen = new Set<string>()
  for (const group of groups) {
    if (!isRecord(group) || !isFiniteNumber(group.date) || !Array.isArray(group.measures)) continue
    if (!isOwnGroup(group)) continue
    const measure = measureOfType(group.measures, type)
    if (!measure) continue
    const weighing = `${group.grpid}:${group.date}`
    if (isFiniteNumber(group.grpid) && seen.has(weighing)) continue
    seen.add(weighing)
    points.push({ time: group.date * 1000, value: realValue(measure) })
  }
  return points.sort((a, b) => a.time - b.time)
}

/**
 * A number of a day, `-1` being "not available": Withings writes -1 in place of a value it does
 * not have (home-assistant/core's sleep_summaries.json fixture), so no count or duration of a
 * day is charted below zero.
 */
export const dayValue = (value: unknown): value is number => isFiniteNumber(value) && value >= 0

/**
 * One field of Getactivity's days, by local day. Every day counts, whatever counted it: a phone
 * sends `deviceid: null` and `is_tracker: false` (home-assistant/core's activity.json fixture).
 */
export function dailyPoints(items: readonly unknown[], field: string): Point[] {
  const points: Point[] = []
  for (const day of items) {
    if (!isRecord(day) || typeof day.date !== 'string') continue
    const time = localDay(day.date)
    const value = day[field]
    if (dayValue(value) && isFiniteNumber(time)) points.push({ time, value })
  }
  return points.sort((a, b) => a.time - b.time)
}

/** Local midnight of a `YYYY-MM-DD` day (Withings files activity and nights by local day). */
export function localDay(ymd: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd)
  return match ? new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])).getTime() : NaN
}

/** `YYYY-MM-DD` of a moment in local time. */
export function ymd(time: number): string {
  const date = new Date(time)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`
}
