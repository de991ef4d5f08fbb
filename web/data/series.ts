import { type MeasTypeCode, realValue } from './meastypes'

// Withings' answers (typed `unknown` until each field is checked) turned into the points the
// charts draw, oldest first. Items that do not have the expected shape are skipped.

export interface Point {
  /** ms since the epoch: when it was measured, or the start of the local day it belongs to. */
  time: number
  value: number
}

type Fields = Record<string, unknown>

const fields = (value: unknown): Fields | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Fields)
    : undefined

const finite = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value)

/** One measure type from Getmeas' measure groups (measuregrp_object, measure_object). */
export function measurePoints(groups: readonly unknown[], type: MeasTypeCode): Point[] {
  const points: Point[] = []
  for (const item of groups) {
    const group = fields(item)
    if (!group || !finite(group.date) || !Array.isArray(group.measures)) continue
    const measure = group.measures.map(fields).find((m) => m?.type === type)
    if (measure && finite(measure.value) && finite(measure.unit)) {
      points.push({
        time: group.date * 1000,
        value: realValue({ value: measure.value, unit: measure.unit }),
      })
    }
  }
  return points.sort((a, b) => a.time - b.time)
}

/** A per-day number from Getactivity's activities or Getsummary's nights (`data.<field>`). */
export function dailyPoints(
  items: readonly unknown[],
  field: string,
  where: 'item' | 'data' = 'item',
): Point[] {
  const points: Point[] = []
  for (const item of items) {
    const day = fields(item)
    const source = where === 'data' ? fields(day?.data) : day
    const value = source?.[field]
    const time = typeof day?.date === 'string' ? localDay(day.date) : Number.NaN
    if (finite(value) && finite(time)) points.push({ time, value })
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
