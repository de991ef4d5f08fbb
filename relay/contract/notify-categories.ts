import type { Scope } from './scopes'

/**
 * The notification categories (`appli`) the relay subscribes a person to, each with the scope
 * that allows it (Withings' notification overview; categories as aiowithings'
 * NotificationCategory). Data categories announce a time range to re-read; events say when.
 */
export const NOTIFY_CATEGORIES = [
  { appli: 1, scope: 'user.metrics', kind: 'data', name: 'Weight and body composition' },
  { appli: 4, scope: 'user.metrics', kind: 'data', name: 'Blood pressure, heart rate and SpO2' },
  { appli: 16, scope: 'user.activity', kind: 'data', name: 'Activity' },
  { appli: 44, scope: 'user.activity', kind: 'data', name: 'Sleep' },
  { appli: 50, scope: 'user.sleepevents', kind: 'bed_in', name: 'Bed in' },
  { appli: 51, scope: 'user.sleepevents', kind: 'bed_out', name: 'Bed out' },
  { appli: 52, scope: 'user.sleepevents', kind: 'inflate_done', name: 'Inflate done' },
] as const satisfies readonly { appli: number; scope: Scope; kind: string; name: string }[]

export type NotifyCategory = (typeof NOTIFY_CATEGORIES)[number]
export type Appli = NotifyCategory['appli']
export type DataAppli = Extract<NotifyCategory, { kind: 'data' }>['appli']
export type BedEventKind = Exclude<NotifyCategory['kind'], 'data'>
export type BedAppli = Extract<NotifyCategory, { kind: BedEventKind }>['appli']

/** The categories a grant (comma-separated scopes, as Withings writes them) allows. */
export function categoriesOf(scope: string): NotifyCategory[] {
  const granted = new Set(scope.split(','))
  return NOTIFY_CATEGORIES.filter((category) => granted.has(category.scope))
}
