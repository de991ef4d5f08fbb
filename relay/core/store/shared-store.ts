// The little state relay instances share: counters, values, short lists and pub/sub. In memory
// for one instance (memory-store.ts), in Redis for several (relay/node/redis-store.ts). Stores
// keep what they are given, as they are given it: callers never hand them a token. Counters,
// values and lists live in separate namespaces: `set('x', …)` and `append('x', …)` do not collide.

import type { ReadinessCheck } from '../http/readiness'

/** One sliding-window counter of a take (see SharedStore.take). */
export interface Counter {
  key: string
  /** Events allowed in the last `windowMs`. */
  limit: number
  windowMs: number
  /** Events this take counts at once (default 1), at most `limit`: a signed call is two calls. */
  amount?: number
}

/**
 * Taken: `at` is the store's clock when it counted, for a refund. Refused: how long until every
 * counter has room, and the keys of those without room now.
 */
export type TakeResult =
  | { taken: true; at: number }
  | { taken: false; retryAfterMs: number; refusedBy: string[] }

export interface ValueOptions {
  ttlMs: number
  /**
   * May use the room the store keeps for markers that protect a person (an ended session), which
   * nothing else can fill. The memory store keeps such room; Redis needs `noeviction` and memory
   * to spare (docs/deploy.md).
   */
  kept?: boolean
}

export interface SharedStore {
  /**
   * Sliding-window counters (the "sliding window counter" algorithm: this window's count plus
   * the previous window's, weighted by how much of it still overlaps). Counts each counter's
   * `amount` when every one of them has room for it, in one atomic step; otherwise counts nothing
   * and says how long until all of them would have room. Taking `amount` at once is allowed
   * exactly when taking one at a time `amount` times would be. Windows are aligned on multiples
   * of `windowMs` since the epoch; use one `windowMs` per key.
   */
  take(counters: readonly Counter[]): Promise<TakeResult>
  /**
   * Gives back `amount` events a take counted under `key` at `at` (its TakeResult's), as if they
   * had not been counted; never below none. Once that window weighs nothing, does nothing.
   */
  refund(counter: { key: string; windowMs: number; amount?: number; at: number }): Promise<void>
  /** The value stored under `key`, or undefined when none is (or it expired). */
  get(key: string): Promise<string | undefined>
  /**
   * Stores `value` under `key` for `ttlMs`; with `ifAbsent`, only when nothing is stored there.
   * True when this call stored it.
   */
  set(key: string, value: string, options: ValueOptions & { ifAbsent?: boolean }): Promise<boolean>
  /** Adds one to the whole number stored under `key` (0 when none), kept `ttlMs` from now; the new number. */
  increment(key: string, options: ValueOptions): Promise<number>
  delete(key: string): Promise<void>
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

/**
 * Thrown (rejected) by every operation while the store cannot be reached, or cannot hold a new
 * key: callers decide to fail open or closed.
 */
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
