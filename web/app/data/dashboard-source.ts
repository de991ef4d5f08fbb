import type { LiveEvent, StoredDataClient, StoredKind, WithingsData } from 'withings-link/react'
import {
  loadBloodPressure,
  loadSleep,
  loadSteps,
  loadWeight,
  type PressureSeries,
} from './dashboard-data'
import { DIASTOLIC, SYSTOLIC, WEIGHT } from './meastypes'
import { dayValue, localDay, type Point, ymd } from './series'

// Where the dashboard's figures come from: the app's own database when the relay keeps the
// person's data (sync on: a view costs Withings nothing, and a year of weight is there), or
// Withings through the relay's proxy (the cookie-only kit). Each panel re-reads when its kind of
// data is news: stored (sync), or notified by Withings (proxy).

export interface DashboardSource {
  weight(): Promise<Point[]>
  bloodPressure(): Promise<PressureSeries>
  steps(): Promise<Point[]>
  sleep(): Promise<Point[]>
  /** Days of measures the charts show. */
  measureDays: number
  refreshOn(kind: Panel): (event: LiveEvent) => boolean
}

type Panel = 'weight' | 'pressure' | 'activity' | 'sleep'

const DAY_MS = 86_400_000
export const STORED_MEASURE_DAYS = 365
export const PROXY_MEASURE_DAYS = 90
export const DAILY_DAYS = 30

/** Withings' notification category of each panel (§11): 1 weight, 4 blood pressure, 16, 44. */
const APPLIS: Record<Panel, number> = { weight: 1, pressure: 4, activity: 16, sleep: 44 }

/** What the store says changed, for each panel. */
const KINDS: Record<Panel, StoredKind> = {
  weight: 'measures',
  pressure: 'measures',
  activity: 'activity',
  sleep: 'sleep',
}

export function proxySource(data: WithingsData): DashboardSource {
  return {
    weight: () => loadWeight(data),
    bloodPressure: () => loadBloodPressure(data),
    steps: () => loadSteps(data),
    sleep: () => loadSleep(data),
    measureDays: PROXY_MEASURE_DAYS,
    refreshOn: (kind) => (event) =>
      event.type === 'notify' && event.notification.appli === APPLIS[kind],
  }
}

export function storeSource(stored: StoredDataClient, now = () => Date.now()): DashboardSource {
  const since = (days: number) => Math.floor((now() - days * DAY_MS) / 1000)
  const measures = async (types: number[]) => {
    const items = await stored.measures({ types, from: since(STORED_MEASURE_DAYS) })
    const points = (type: number) =>
      items
        .filter((item) => item.type === type && item.is_own)
        .map((item): Point => ({ time: item.time * 1000, value: item.value }))
    return points
  }
  const days = () => ({ from: ymd(now() - (DAILY_DAYS - 1) * DAY_MS), to: ymd(now()) })
  return {
    async weight() {
      return (await measures([WEIGHT]))(WEIGHT)
    },
    async bloodPressure() {
      const points = await measures([SYSTOLIC, DIASTOLIC])
      return { systolic: points(SYSTOLIC), diastolic: points(DIASTOLIC) }
    },
    async steps() {
      return (await stored.activity(days())).flatMap((day) =>
        dayValue(day.steps) ? [{ time: localDay(day.date), value: day.steps }] : [],
      )
    },
    async sleep() {
      return (await stored.sleep(days())).flatMap((period) =>
        !period.is_nap && dayValue(period.total_sleep_time)
          ? [{ time: localDay(period.date), value: period.total_sleep_time }]
          : [],
      )
    },
    measureDays: STORED_MEASURE_DAYS,
    refreshOn: (kind) => (event) =>
      event.type === 'stored' && event.news.kinds.includes(KINDS[kind]),
  }
}
