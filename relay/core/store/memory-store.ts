// The shared store for a single relay instance: everything in this process's memory.
//
// Bounded: at most `maxKeys` live keys (counters, values and lists together), expired ones swept
// as writes go. At the cap, a write that needs a new key is refused with StoreUnavailable (as a
// full Redis refuses writes) and nothing already stored is forgotten to make room: forgetting a
// counter would hand its key a fresh allowance, and forgetting a marker would let a spent state
// be spent again. Keys already stored keep being counted exactly; the caller decides whether a
// refused new key fails open or closed. `keptKeys` of the room are kept for `kept` writes (the
// markers that protect a person), which nothing else can fill.

import { createExpiringMap } from './expiring-map'
import { type Counter, checkCount, type SharedStore, StoreUnavailable } from './shared-store'
import {
  allows,
  checkCounters,
  countsAt,
  retryAfterMs,
  roomLimit,
  type WindowRecord,
  windowOf,
} from './sliding-window'

const DEFAULT_MAX_KEYS = 100_000

export interface MemoryStoreOptions {
  /** Milliseconds since the epoch. */
  now?: () => number
  /** Live keys the store may hold; a new key beyond them is refused. */
  maxKeys?: number
  /** Of `maxKeys`, the room only `kept` writes may use. Default a tenth. */
  keptKeys?: number
  /** Told of every exception a subscriber's `onMessage` throws (default: console.error). */
  onError?: (error: unknown) => void
}

type Stored =
  | { kind: 'counter'; record: WindowRecord }
  | { kind: 'value'; value: string }
  | { kind: 'list'; items: string[] }

interface Subscription {
  onMessage: (message: string) => void
}

const counterKey = (key: string) => `counter:${key}`
const valueKey = (key: string) => `value:${key}`
const listKey = (key: string) => `list:${key}`

export function createMemoryStore(options: MemoryStoreOptions = {}): SharedStore {
  const { now = Date.now, maxKeys = DEFAULT_MAX_KEYS, onError = console.error } = options
  const keptKeys = options.keptKeys ?? Math.floor(maxKeys / 10)
  const stored = createExpiringMap<Stored>({ now, maxKeys, keptKeys })
  const channels = new Map<string, Set<Subscription>>()
  let closed = false

  function open(): void {
    if (closed) throw new StoreUnavailable('The memory store is closed.')
  }

  const full = () => new StoreUnavailable(`The memory store is full (${maxKeys} live keys).`)

  function store(key: string, value: Stored, expiresAt: number, kept = false): void {
    if (!stored.set(key, value, expiresAt, { kept })) throw full()
  }

  function counter(key: string): WindowRecord | undefined {
    const value = stored.get(counterKey(key))
    return value?.kind === 'counter' ? value.record : undefined
  }

  function storedValue(key: string): string | undefined {
    const value = stored.get(valueKey(key))
    return value?.kind === 'value' ? value.value : undefined
  }

  function items(key: string): string[] {
    const value = stored.get(listKey(key))
    return value?.kind === 'list' ? value.items : []
  }

  /** Keeps a counter until the end of the next window, after which it no longer weighs anything. */
  function keep(key: string, record: WindowRecord, windowMs: number): void {
    store(counterKey(key), { kind: 'counter', record }, (record.window + 2) * windowMs)
  }

  return {
    async take(counters) {
      open()
      checkCounters(counters)
      const at = now()
      const counted = counters.map((each: Counter) => ({
        each,
        counts: countsAt(counter(each.key), at, each.windowMs),
      }))
      const refused = counted.filter(
        ({ each, counts }) => !allows(counts, roomLimit(each), each.windowMs),
      )
      if (refused.length > 0) {
        return {
          taken: false,
          retryAfterMs: Math.max(
            ...refused.map(({ each, counts }) =>
              retryAfterMs(counts, roomLimit(each), each.windowMs),
            ),
          ),
          refusedBy: refused.map(({ each }) => each.key),
        }
      }
      // All or nothing: a take that would find no room for one of its keys counts none.
      if (!stored.fits(counters.map((each) => counterKey(each.key)))) throw full()
      for (const { each, counts } of counted) {
        const { amount = 1, windowMs } = each
        const window = windowOf(at, windowMs)
        keep(
          each.key,
          { window, count: counts.current + amount, previous: counts.previous },
          windowMs,
        )
      }
      return { taken: true, at }
    },

    async refund({ key, windowMs, amount = 1, at }) {
      open()
      checkCount('windowMs', windowMs)
      checkCount('amount', amount)
      const record = counter(key)
      if (!record) return
      const window = windowOf(at, windowMs)
      const less = (count: number) => Math.max(0, count - amount)
      if (record.window === window) keep(key, { ...record, count: less(record.count) }, windowMs)
      else if (record.window === window + 1) {
        keep(key, { ...record, previous: less(record.previous) }, windowMs)
      }
    },

    async get(key) {
      open()
      return storedValue(key)
    },

    async set(key, value, { ttlMs, ifAbsent = false, kept = false }) {
      open()
      checkCount('ttlMs', ttlMs)
      if (ifAbsent && storedValue(key) !== undefined) return false
      store(valueKey(key), { kind: 'value', value }, now() + ttlMs, kept)
      return true
    },

    async increment(key, { ttlMs, kept = false }) {
      open()
      checkCount('ttlMs', ttlMs)
      const next = Number(storedValue(key) ?? 0) + 1
      if (!Number.isSafeInteger(next)) throw new RangeError(`${key} holds no whole number.`)
      store(valueKey(key), { kind: 'value', value: String(next) }, now() + ttlMs, kept)
      return next
    },

    async delete(key) {
      open()
      stored.delete(valueKey(key))
    },

    async append(key, item, { max, ttlMs }) {
      open()
      checkCount('max', max)
      checkCount('ttlMs', ttlMs)
      const kept = [...items(key), item].slice(-max)
      store(listKey(key), { kind: 'list', items: kept }, now() + ttlMs)
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
