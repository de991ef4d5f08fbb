// The sliding window counter (as Cloudflare describes it in "How we built rate limiting capable of
// scaling to millions of domains"): windows aligned on multiples of `windowMs`, and the estimate
// of the last `windowMs` is this window's count plus the previous window's, weighted by the part
// of it the last `windowMs` still overlaps. Everything is whole milliseconds and whole counts, so
// the comparison is exact (no floating-point fraction). The Redis store's Lua script is a twin of
// `countsAt` and `allows`; `retryAfterMs` runs in TypeScript for both stores.
//
// A take of `amount` events at once is allowed exactly when `amount` takes of one would be in a
// row: the last of them is, so the estimate must stay under `limit − amount + 1` (`roomLimit`).

import { type Counter, checkCount } from './shared-store'

/** A counter as stored: the window it was last counted in, and its and the previous window's counts. */
export interface WindowRecord {
  window: number
  count: number
  previous: number
}

export interface WindowCounts {
  current: number
  previous: number
  /** Milliseconds since the current window began (0 … windowMs − 1). */
  elapsed: number
}

export function windowOf(now: number, windowMs: number): number {
  return Math.floor(now / windowMs)
}

export function countsAt(
  record: WindowRecord | undefined,
  now: number,
  windowMs: number,
): WindowCounts {
  const window = windowOf(now, windowMs)
  const elapsed = now - window * windowMs
  if (record?.window === window)
    return { current: record.count, previous: record.previous, elapsed }
  if (record?.window === window - 1) return { current: 0, previous: record.count, elapsed }
  return { current: 0, previous: 0, elapsed }
}

/** current + previous × (windowMs − elapsed) / windowMs < limit, multiplied out by windowMs. */
export function allows(counts: WindowCounts, limit: number, windowMs: number): boolean {
  const { current, previous, elapsed } = counts
  return current * windowMs + previous * (windowMs - elapsed) < limit * windowMs
}

/**
 * Whole milliseconds until `allows` holds again when nothing else is counted meanwhile (at least
 * 1). When this window alone has reached the limit, that is in the next window, once this one's
 * count, then the previous, weighs little enough; otherwise later in this window.
 */
export function retryAfterMs(counts: WindowCounts, limit: number, windowMs: number): number {
  const { current, previous, elapsed } = counts
  if (current >= limit) {
    // Next window: current × (windowMs − t) < limit × windowMs, smallest whole t.
    return windowMs - elapsed + windowMs - ceilDivide(limit * windowMs, current) + 1
  }
  // This window: current × windowMs + previous × (windowMs − t) < limit × windowMs.
  return windowMs - ceilDivide((limit - current) * windowMs, previous) + 1 - elapsed
}

/** The limit one event must stay under for a take of `amount` (see the top of this file). */
export function roomLimit({ limit, amount = 1 }: Counter): number {
  return limit - amount + 1
}

/** RangeError for counters no store can count exactly (products beyond 2^53), or none at all. */
export function checkCounters(counters: readonly Counter[]): void {
  if (counters.length === 0) throw new RangeError('A take needs at least one counter.')
  const keys = new Set(counters.map((counter) => counter.key))
  if (keys.size < counters.length) throw new RangeError('A take counts each key once.')
  for (const { limit, windowMs, amount = 1 } of counters) {
    checkCount('limit', limit)
    checkCount('windowMs', windowMs)
    checkCount('amount', amount)
    if (amount > limit) throw new RangeError(`amount ${amount} is more than limit ${limit}.`)
    if (!Number.isSafeInteger(2 * limit * windowMs)) {
      throw new RangeError(
        `limit × windowMs is too large to count exactly (${limit} × ${windowMs}).`,
      )
    }
  }
}

function ceilDivide(dividend: number, divisor: number): number {
  return Math.floor((dividend + divisor - 1) / divisor)
}
