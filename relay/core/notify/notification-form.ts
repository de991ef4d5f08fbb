import { type LiveNotification, NOTIFY_CATEGORIES } from '../../contract/wire-contract'

// What a page may learn from Withings' notification form, or why nothing: the form is read
// leniently (extra fields ignored, `date` as a Unix time or a date), and what cannot be read is
// named, so the callback can log it and still acknowledge it.

export interface NotificationForm {
  notification: LiveNotification
  /** What tells Withings' retries of this notification apart from a new one. */
  key: string
}

export type DropReason =
  | 'no_appli'
  | 'other_category'
  | 'no_date'
  | 'no_range'
  | 'not_a_time'
  | 'backwards_range'

export type ReadNotification = NotificationForm | { dropped: DropReason; appli?: number }

export function readNotification(form: URLSearchParams): ReadNotification {
  const appliText = form.get('appli') ?? ''
  if (!/^\d{1,4}$/.test(appliText)) return { dropped: 'no_appli' }
  const appli = Number(appliText)
  const category = NOTIFY_CATEGORIES.find((each) => each.appli === appli)
  // A category the relay never subscribes to (another tool's subscription to this URL, or a
  // category Withings added): nothing for the pages.
  if (!category) return { dropped: 'other_category', appli }
  if (category.kind === 'data') {
    const start = form.get('startdate')
    const end = form.get('enddate')
    if (start === null || end === null) return { dropped: 'no_range', appli }
    const startdate = seconds(start)
    const enddate = seconds(end)
    if (startdate === undefined || enddate === undefined) return { dropped: 'not_a_time', appli }
    if (enddate < startdate) return { dropped: 'backwards_range', appli }
    return {
      notification: { appli: category.appli, kind: 'data', startdate, enddate },
      key: `${category.appli}:${startdate}:${enddate}`,
    }
  }
  const text = form.get('date')
  if (text === null) return { dropped: 'no_date', appli }
  const date = seconds(text)
  if (date === undefined) return { dropped: 'not_a_time', appli }
  return {
    notification: { appli: category.appli, kind: category.kind, date },
    key: `${category.appli}:${date}`,
  }
}

const UNIX_SECONDS = /^\d{1,12}$/
/** `Y-m-d`, or an ISO 8601 date-time (the notification content page shows both for `date`). */
const DATE = /^\d{4}-\d{2}-\d{2}([T ][\d:.]{5,15}(Z|[+-]\d{2}:?\d{2})?)?$/

/** Unix seconds, or a date or date-time, as Unix seconds. */
function seconds(text: string): number | undefined {
  if (UNIX_SECONDS.test(text)) return Number(text)
  if (!DATE.test(text)) return undefined
  const ms = Date.parse(text)
  return Number.isNaN(ms) || ms < 0 ? undefined : Math.floor(ms / 1000)
}
