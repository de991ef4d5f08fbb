// The little state relay instances share: counters, one-time markers, short lists and pub/sub.
// In memory for one instance (memory-store.ts), in Redis for several (relay/node/redis-store.ts).
// Stores keep what they are given, as they are given it: callers never hand them a token.
// Counters, markers and lists live in separate namespaces: `claim('x')` and `append('x', …)` do
// not collide.

import type { ReadinessCheck } from '../http/readiness'

export type TakeResult = { taken: true } | { taken: false; retryAfterMs: number }

export interface SharedStore {
  /**
   * Sliding-window counter (the "sliding window counter" algorithm: this window's count plus the
   * previous window's, weighted by how much of it still overlaps). Counts one event under `key`
   * when fewer than `limit` happened in the last `windowMs`, atomically; otherwise counts nothing
   * and says how long until one would be allowed. Windows are aligned on multiples of `windowMs`
   * since the epoch; use one `windowMs` per key.
   */
  take(key: string, limit: number, windowMs: number): Promise<TakeResult>
  /** Sets `key` for `ttlMs` if it is not set; true when this call set it (first claim). */
  claim(key: string, ttlMs: number): Promise<boolean>
  /** True while `key` is set (claimed and not expired). */
  has(key: string): Promise<boolean>
  /** Appends `item` to the list `key`, keeps its newest `max` items, and lets the whole list expire `ttlMs` after the last append. */
  append(key: string, item: string, options: { max: number; ttlMs: number }): Promise<void>
  /** The list's items, oldest first ([] when none). */
  list(key: string): Promise<string[]>
  publish(channel: string, message: string): Promise<void>
  /**
   * Calls `onMessage` for every message on `channel` from now on, from any instance; resolves to
   * an unsubscribe. Subscriptions survive a lost connection (re-subscribed on reconnect), but
   * messages published while it is lost are not delivered. The unsubscribe never rejects: once
   * it is called, `onMessage` is not called again.
   */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>
  /** Ends subscriptions and connections; every later operation rejects with StoreUnavailable. */
  close(): Promise<void>
  /** What GET /api/readyz asks of a store that can be down (Redis's PING); none in memory. */
  readonly readiness?: ReadinessCheck
}

/** Thrown (rejected) by every operation while the store cannot be reached: callers decide to fail open or closed. */
export class StoreUnavailable extends Error {
  readonly code = 'store_unavailable'

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause })
    this.name = 'StoreUnavailable'
  }
}

/** Rejects arguments no store could honour (a programming error, not an outage). */
export function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a whole number of at least 1 (got ${value}).`)
  }
}
