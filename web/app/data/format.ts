// How the dashboard writes days, counts and durations. The interface is English, so the numbers
// and dates are written the English way too, whatever the browser's locale.

const LOCALE = 'en'
const short = new Intl.DateTimeFormat(LOCALE, { day: 'numeric', month: 'short' })
const long = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium' })
const count = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 })

/** "Mar 14", for axis labels. */
export const formatShortDay = (time: number): string => short.format(time)

/** "Mar 14, 2025". */
export const formatDay = (time: number): string => long.format(time)

/** "9,210 steps". */
export const formatSteps = (steps: number): string => `${count.format(steps)} steps`

/** "7 h 05 min", from seconds. */
export function formatDuration(seconds: number): string {
  const minutes = Math.round(seconds / 60)
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`
}

const clock = new Intl.DateTimeFormat(LOCALE, {
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
})

/** "23:14" today, "Mar 14, 23:14" another day (local time). */
export function formatMoment(time: number, now = Date.now()): string {
  const sameDay = new Date(time).toDateString() === new Date(now).toDateString()
  return sameDay ? clock.format(time) : `${short.format(time)}, ${clock.format(time)}`
}
