// Calendar days in a user's time zone. Withings reports days (`date: "2020-07-09"`) and a
// `timezone` for each; the seeded data follows each user's zone, DST included.

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
    formatters.set(timeZone, format)
  }
  return format
}

/** Wall-clock fields of an instant in a zone. */
function wallClock(epochMs: number, timeZone: string) {
  const fields: Record<string, number> = {}
  for (const part of formatter(timeZone).formatToParts(epochMs)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value)
  }
  return {
    year: fields.year ?? 1970,
    month: fields.month ?? 1,
    day: fields.day ?? 1,
    minutes: (fields.hour ?? 0) * 60 + (fields.minute ?? 0),
    second: fields.second ?? 0,
  }
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0')

/** `YYYY-MM-DD` of an instant in a zone. */
export function ymdAt(epochMs: number, timeZone: string): string {
  const { year, month, day } = wallClock(epochMs, timeZone)
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`
}

/** Minutes since local midnight of an instant in a zone. */
export function minutesOfDay(epochMs: number, timeZone: string): number {
  return wallClock(epochMs, timeZone).minutes
}

function offsetMs(epochMs: number, timeZone: string): number {
  const { year, month, day, minutes, second } = wallClock(epochMs, timeZone)
  const asUtc = Date.UTC(year, month - 1, day, 0, minutes, second)
  return asUtc - (epochMs - (epochMs % 1000))
}

/** Unix seconds of `minutes` past local midnight of `ymd` (minutes may exceed a day). */
export function zonedSeconds(ymd: string, minutes: number, timeZone: string): number {
  const [year = 1970, month = 1, day = 1] = ymd.split('-').map(Number)
  const guess = Date.UTC(year, month - 1, day, 0, minutes)
  let epoch = guess - offsetMs(guess, timeZone)
  // Second pass settles the offset on the other side of a DST change.
  epoch = guess - offsetMs(epoch, timeZone)
  return Math.floor(epoch / 1000)
}

export function addDays(ymd: string, days: number): string {
  const [year = 1970, month = 1, day = 1] = ymd.split('-').map(Number)
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10)
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(ymd: string): number {
  return new Date(`${ymd}T00:00:00Z`).getUTCDay()
}

/** Strict `YYYY-MM-DD` naming a real calendar day. */
export function isYmd(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false
  const date = new Date(`${text}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text
}
