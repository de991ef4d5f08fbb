// One reading of Postgres' text values for both drivers, so that a row looks the same on PGlite
// and on a Postgres server. Left alone they differ: int8 is a bigint on PGlite and a string on
// node-postgres, and a date is UTC midnight on one and local midnight on the other.

const OID = { int8: 20, numeric: 1700, date: 1082 } as const

/** int8 as a number: Withings' ids and Unix times fit; anything past 2^53 is refused, not rounded. */
function int8(text: string): number {
  const value = Number(text)
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`A bigint (${text.length} digits) is beyond JavaScript's safe integers.`)
  }
  return value
}

/** Parsers by type OID: numeric stays exact text, a date stays `YYYY-MM-DD`. */
export const PARSERS: Readonly<Record<number, (text: string) => unknown>> = {
  [OID.int8]: int8,
  [OID.numeric]: (text) => text,
  [OID.date]: (text) => text,
}
