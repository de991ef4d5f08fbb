import {
  type BedAppli,
  type BedEventKind,
  type DataAppli,
  NOTIFY_CATEGORIES,
} from './notify-categories'

/**
 * What reaches the person's open pages (`GET /api/events`, event `notify`) when Withings
 * notifies: a hint, never data. A data category says which range to re-read through the proxy;
 * a bed event says when it happened (Unix seconds, as Withings sent it).
 */
export type LiveNotification =
  | { appli: DataAppli; kind: 'data'; startdate: number; enddate: number }
  | { appli: BedAppli; kind: BedEventKind; date: number }

/** A notification as JSON gave it back (the stream's data, a message between instances). */
export function parseLiveNotification(value: unknown): LiveNotification | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const fields = value as Record<string, unknown>
  const category = NOTIFY_CATEGORIES.find(({ appli }) => appli === fields.appli)
  const time = (name: string) => {
    const field = fields[name]
    return typeof field === 'number' && Number.isSafeInteger(field) && field >= 0
      ? field
      : undefined
  }
  if (!category) return undefined
  if (category.kind === 'data') {
    const startdate = time('startdate')
    const enddate = time('enddate')
    if (startdate === undefined || enddate === undefined) return undefined
    return { appli: category.appli, kind: 'data', startdate, enddate }
  }
  const date = time('date')
  return date === undefined ? undefined : { appli: category.appli, kind: category.kind, date }
}
