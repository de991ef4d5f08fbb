// Withings' answers are typed `unknown` until each field is read: these readers turn a field into
// the column's value or null, never throwing, so one odd item never costs a whole page.

export type Fields = Record<string, unknown>

export const isRecord = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** A finite number (Withings sends some as numeric strings), or null. */
export function numberOrNull(value: unknown): number | null {
  const number = typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value
  return typeof number === 'number' && Number.isFinite(number) ? number : null
}

/** The same, with Withings' -1 for "not available" read as null (sleep and activity fields). */
export function measuredOrNull(value: unknown): number | null {
  const number = numberOrNull(value)
  return number === -1 ? null : number
}

export function integerOrNull(value: unknown): number | null {
  const number = numberOrNull(value)
  return number !== null && Number.isSafeInteger(number) ? number : null
}

export const textOrNull = (value: unknown): string | null =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null

export const booleanOrNull = (value: unknown): boolean | null =>
  typeof value === 'boolean' ? value : null

/** A Unix time in seconds as a Date, or null. */
export function timeOrNull(value: unknown): Date | null {
  const seconds = integerOrNull(value)
  return seconds !== null && seconds >= 0 ? new Date(seconds * 1000) : null
}

/** A calendar day `YYYY-MM-DD`, or null. */
export function dayOrNull(value: unknown): string | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null
  const date = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value ? value : null
}

/** The items of a list field, or undefined when the field is not a list (a malformed page). */
export function listOf(body: Fields, field: string): unknown[] | undefined {
  const value = body[field]
  return Array.isArray(value) ? value : undefined
}

/** The picked fields as numbers, -1 and missing ones as null. */
export function measuredFields<K extends string>(
  source: Fields,
  names: readonly K[],
): Record<K, number | null> {
  return Object.fromEntries(names.map((name) => [name, measuredOrNull(source[name])])) as Record<
    K,
    number | null
  >
}

/** Each item read into a row, or counted as skipped when it is no object or `read` cannot. */
export function readEach<R>(
  items: readonly unknown[],
  read: (item: Fields) => R | undefined,
): { rows: R[]; skipped: number } {
  const rows: R[] = []
  let skipped = 0
  for (const item of items) {
    const row = isRecord(item) ? read(item) : undefined
    if (row === undefined) skipped++
    else rows.push(row)
  }
  return { rows, skipped }
}
