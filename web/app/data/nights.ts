import { dayValue, localDay, type Point } from './series'
import { isFiniteNumber, isRecord } from './untrusted'

// Sleep per night from Sleep v2 - Getsummary. Withings sends one summary per sleep period,
// naps included, each filed under `date`, the day it ends on; nothing marks a nap as a nap (the
// maintainer of aiowithings in home-assistant/core issue 103246). Charted as nights, a nap
// passes for a short night or hides one: issue 103416 saw a 10:46–12:23 nap shown instead of
// the night. Naps are therefore left out of this chart, whose bars are nights: one per day.

interface SleepPeriod {
  date: string
  /** Unix seconds. */
  start: number
  end: number
  asleep: unknown
  timeZone: string | undefined
}

function parsePeriod(item: unknown): SleepPeriod | undefined {
  if (!isRecord(item)) return undefined
  const { date, startdate, enddate, timezone, data } = item
  if (typeof date !== 'string' || !isFiniteNumber(startdate) || !isFiniteNumber(enddate)) {
    return undefined
  }
  return {
    date,
    start: startdate,
    end: enddate,
    asleep: isRecord(data) ? data.total_sleep_time : undefined,
    timeZone: typeof timezone === 'string' ? timezone : undefined,
  }
}

const clocks = new Map<string, Intl.DateTimeFormat>()

/** `YYYY-MM-DD HH` on the wall clock of the summary's zone (the browser's for an unknown one). */
function wallHour(seconds: number, timeZone: string | undefined): string {
  const key = timeZone ?? ''
  let clock = clocks.get(key)
  if (!clock) {
    const fields = { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit' } as const
    try {
      clock = new Intl.DateTimeFormat('en-CA', { ...fields, hourCycle: 'h23', timeZone })
    } catch {
      clock = new Intl.DateTimeFormat('en-CA', { ...fields, hourCycle: 'h23' })
    }
    clocks.set(key, clock)
  }
  const parts = new Map(clock.formatToParts(seconds * 1000).map((part) => [part.type, part.value]))
  return `${parts.get('year')}-${parts.get('month')}-${parts.get('day')} ${parts.get('hour')}`
}

/** It began at or after midday of the day it is filed under, so after that day's night ended. */
const startsAfterMidday = (period: SleepPeriod) =>
  wallHour(period.start, period.timeZone) >= `${period.date} 12`

/**
 * One point per night, at the day it ends on: of the periods filed under a day, those that began
 * after its midday are naps, and of the others the longest in bed is the night (a night's
 * wake-ups stay inside its summary: `waso`, `out_of_bed_count`), so a late-morning nap is not
 * taken for it either. A night whose sleep time is "not available" (-1) has no point.
 */
export function nightPoints(summaries: readonly unknown[]): Point[] {
  const nights = new Map<string, SleepPeriod>()
  for (const period of summaries.map(parsePeriod)) {
    if (!period || startsAfterMidday(period)) continue
    const longest = nights.get(period.date)
    if (!longest || period.end - period.start > longest.end - longest.start) {
      nights.set(period.date, period)
    }
  }
  const points: Point[] = []
  for (const { date, asleep } of nights.values()) {
    const time = localDay(date)
    if (dayValue(asleep) && isFiniteNumber(time)) points.push({ time, value: asleep })
  }
  return points.sort((a, b) => a.time - b.time)
}
