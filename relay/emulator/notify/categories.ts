import { NOTIFY_CATEGORIES, type Scope } from '../../contract/wire-contract'

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

/** The categories withings-link subscribes to, and ECG, which it does not. */
export const CATEGORIES: readonly Category[] = [
  ...NOTIFY_CATEGORIES.map(({ appli, name, scope, kind }) => ({
    appli,
    name,
    scope,
    kind: kind === 'data' ? ('data' as const) : ('event' as const),
  })),
  { appli: 54, name: 'ECG', scope: 'user.metrics', kind: 'data' },
]

export const categoryOf = (appli: number): Category | undefined =>
  CATEGORIES.find((category) => category.appli === appli)

/** The category an `appli` parameter names; `fallback`'s when the parameter is absent. */
export function categoryParam(text: string | null, fallback?: number): Category | undefined {
  if (text === null || text === '') return fallback === undefined ? undefined : categoryOf(fallback)
  return /^\d{1,4}$/.test(text) ? categoryOf(Number(text)) : undefined
}
