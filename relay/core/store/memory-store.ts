// The shared store for a single relay instance: everything in this process's memory.
//
// Bounded: at most `maxKeys` live keys (counters, markers and lists together), expired ones swept
// as writes go. At the cap, a write that needs a new key is refused with StoreUnavailable (as a
// full Redis refuses writes) and nothing already stored is forgotten to make room: forgetting a
// counter would hand its key a fresh allowance, and forgetting a marker would let a spent state
// be spent again. Keys already stored keep being counted exactly; the caller decides whether a
// refused new key fails open or closed.

import { createExpiringMap } from './expiring-map'
import { checkCount, type SharedStore, StoreUnavailable } from './shared-store'
import {
  allows,
  checkTakeArguments,
  countsAt,
  retryAfterMs,
  type WindowRecord,
  windowOf,
} from './sliding-window'

const DEFAULT_MAX_KEYS = 100_000

export interface MemoryStoreOptions {
  /** Milliseconds since the epoch. */
  now?: () => number
  /** Live keys the store may hold; a new key beyond them is refused. */
  maxKeys?: number
  /** Told of every exception a subscriber's `onMessage` throws (default: console.error). */
  onError?: (error: unknown) => void
}

type Stored =
  | { kind: 'counter'; record: WindowRecord }
  | { kind: 'marker' }
  | { kind: 'list'; items: string[] }

const MARKER: Stored = { kind: 'marker' }

interface Subscription {
  onMessage: (message: string) => void
}

export function createMemoryStore(options: MemoryStoreOptions = {}): SharedStore {
  const { now = Date.now, maxKeys = DEFAULT_MAX_KEYS, onError = console.error } = options
  const stored = createExpiringMap<Stored>({ now, maxKeys })
  const channels = new Map<string, Set<Subscription>>()
  let closed = false

  function open(): void {
    if (closed) throw new StoreUnavailable('The memory store is closed.')
  }

  function store(key: string, value: Stored, expiresAt: number): void {
    if (!stored.set(key, value, expiresAt)) {
      throw new StoreUnavailable(`The memory store is full (${maxKeys} live keys).`)
    }
  }

  function counter(key: string): WindowRecord | undefined {
    const value = stored.get(`counter:${key}`)
    return value?.kind === 'counter' ? value.record : undefined
  }

  function isMarked(key: string): boolean {
    return stored.get(`marker:${key}`)?.kind === 'marker'
  }

  function items(key: string): string[] {
    const value = stored.get(`list:${key}`)
    return value?.kind === 'list' ? value.items : []
  }

  return {
    async take(key, limit, windowMs) {
      open()
      checkTakeArguments(limit, windowMs)
      const at = now()
      const counts = countsAt(counter(key), at, windowMs)
      if (!allows(counts, limit, windowMs)) {
        return { taken: false, retryAfterMs: retryAfterMs(counts, limit, windowMs) }
      }
      const window = windowOf(at, windowMs)
      const record = { window, count: counts.current + 1, previous: counts.previous }
      // Kept until the end of the next window, after which it no longer weighs anything.
      store(`counter:${key}`, { kind: 'counter', record }, (window + 2) * windowMs)
      return { taken: true }
    },

    async claim(key, ttlMs) {
      open()
      checkCount('ttlMs', ttlMs)
      if (isMarked(key)) return false
      store(`marker:${key}`, MARKER, now() + ttlMs)
      return true
    },

    async has(key) {
      open()
      return isMarked(key)
    },

    async append(key, item, { max, ttlMs }) {
      open()
      checkCount('max', max)
      checkCount('ttlMs', ttlMs)
      const kept = [...items(key), item].slice(-max)
      store(`list:${key}`, { kind: 'list', items: kept }, now() + ttlMs)
    },

    async list(key) {
      open()
      return [...items(key)]
    },

    async publish(channel, message) {
      open()
      for (const subscription of channels.get(channel) ?? []) {
        // On a microtask, as a message from Redis would arrive: never inside the publisher's call.
        queueMicrotask(() => {
          if (!channels.get(channel)?.has(subscription)) return
          try {
            subscription.onMessage(message)
          } catch (error) {
            onError(error)
          }
        })
      }
    },

    async subscribe(channel, onMessage) {
      open()
      const subscription = { onMessage }
      const subscriptions = channels.get(channel) ?? new Set()
      channels.set(channel, subscriptions.add(subscription))
      return async () => {
        subscriptions.delete(subscription)
        if (subscriptions.size === 0 && channels.get(channel) === subscriptions) {
          channels.delete(channel)
        }
      }
    },

    async close() {
      closed = true
      stored.clear()
      channels.clear()
    },
  }
}
