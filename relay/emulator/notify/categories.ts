import type { Scope } from '../../contract'

// Notification categories (`appli`) of the health-data Notify service, with the scope each needs
// and what its notification carries (Withings' notification content page,
// https://developer.withings.com/developer-guide/v3/data-api/notifications/notification-content;
// names as aiowithings' NotificationCategory, https://github.com/joostlek/python-withings).
// Data categories announce a time range to re-read (`startdate`, `enddate`); events say when
// (`date`) and which device (`deviceid`).

export interface Category {
  appli: number
  name: string
  scope: Scope
  kind: 'data' | 'event'
}

const CATEGORIES: readonly Category[] = [
  { appli: 1, name: 'Weight and body composition', scope: 'user.metrics', kind: 'data' },
  { appli: 4, name: 'Blood pressure, heart rate and SpO2', scope: 'user.metrics', kind: 'data' },
  { appli: 16, name: 'Activity', scope: 'user.activity', kind: 'data' },
  { appli: 44, name: 'Sleep', scope: 'user.activity', kind: 'data' },
  { appli: 50, name: 'Bed in', scope: 'user.sleepevents', kind: 'event' },
  { appli: 51, name: 'Bed out', scope: 'user.sleepevents', kind: 'event' },
  { appli: 52, name: 'Inflate done', scope: 'user.sleepevents', kind: 'event' },
  { appli: 54, name: 'ECG', scope: 'user.metrics', kind: 'data' },
]

export const categoryOf = (appli: number): Category | undefined =>
  CATEGORIES.find((category) => category.appli === appli)

/** The category an `appli` parameter names; `fallback`'s when the parameter is absent. */
export function categoryParam(text: string | null, fallback?: number): Category | undefined {
  if (text === null || text === '') return fallback === undefined ? undefined : categoryOf(fallback)
  return /^\d{1,4}$/.test(text) ? categoryOf(Number(text)) : undefined
}
