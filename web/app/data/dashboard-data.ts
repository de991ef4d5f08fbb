import type { WithingsData } from 'withings-link/react'
import { DIASTOLIC, SYSTOLIC, WEIGHT } from './meastypes'
import { nightPoints } from './nights'
import { dailyPoints, localDay, measurePoints, type Point, ymd } from './series'

// What each dashboard panel asks Withings for. Windows start at a local midnight, so two loads
// on the same day send the same arguments (and share one request while both are in flight).

const DAY_MS = 86_400_000
export const WEIGHT_DAYS = 90
export const PRESSURE_DAYS = 90
export const ACTIVITY_DAYS = 30

const windowStart = (days: number, now: number) => localDay(ymd(now - (days - 1) * DAY_MS))

/** Getmeas for some types since a local midnight: real measures (category 1) only. */
function measuresSince(data: WithingsData, types: number[], days: number, now: number) {
  return data.all(
    'measure',
    'getmeas',
    { meastypes: types, category: 1, startdate: windowStart(days, now) / 1000 },
    'measuregrps',
  )
}

export async function loadWeight(data: WithingsData, now = Date.now()): Promise<Point[]> {
  return measurePoints(await measuresSince(data, [WEIGHT], WEIGHT_DAYS, now), WEIGHT)
}

export interface PressureSeries {
  systolic: Point[]
  diastolic: Point[]
}

export async function loadBloodPressure(
  data: WithingsData,
  now = Date.now(),
): Promise<PressureSeries> {
  const groups = await measuresSince(data, [SYSTOLIC, DIASTOLIC], PRESSURE_DAYS, now)
  return { systolic: measurePoints(groups, SYSTOLIC), diastolic: measurePoints(groups, DIASTOLIC) }
}

const dayWindow = (now: number) => ({
  startdateymd: ymd(windowStart(ACTIVITY_DAYS, now)),
  enddateymd: ymd(now),
})

export async function loadSteps(data: WithingsData, now = Date.now()): Promise<Point[]> {
  const params = { ...dayWindow(now), data_fields: 'steps' }
  return dailyPoints(await data.all('v2/measure', 'getactivity', params, 'activities'), 'steps')
}

/** Seconds asleep per night (naps left out), filed under the day the night ends. */
export async function loadSleep(data: WithingsData, now = Date.now()): Promise<Point[]> {
  const params = { ...dayWindow(now), data_fields: 'total_sleep_time' }
  return nightPoints(await data.all('v2/sleep', 'getsummary', params, 'series'))
}
