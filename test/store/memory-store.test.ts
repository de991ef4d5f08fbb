import { describe, expect, test } from 'vitest'
import { createExpiringMap } from '../../relay/core/store/expiring-map'
import { createMemoryStore } from '../../relay/core/store/memory-store'
import { StoreUnavailable } from '../../relay/core/store/shared-store'
import { fakeClock } from '../support/stack'
import { describeSharedStore, START } from './shared-store-contract'

describeSharedStore('memory store', async () => {
  const clock = fakeClock(START)
  const errors: unknown[] = []
  const store = createMemoryStore({ now: clock.now, onError: (error) => errors.push(error) })
  return {
    open: () => store,
    now: clock.now,
    tick: clock.advance,
    elapse: async (ms) => clock.advance(ms),
    errors,
    minWindowMs: 1,
    close: () => store.close(),
  }
})

describe('memory store', () => {
  test('a value and a list live exactly ttlMs', async () => {
    const clock = fakeClock(START)
    const store = createMemoryStore({ now: clock.now })
    await store.set('state', 'spent', { ttlMs: 1_000 })
    await store.append('user', 'hint', { max: 5, ttlMs: 1_000 })
    clock.advance(999)
    expect(await store.get('state')).toBe('spent')
    expect(await store.list('user')).toEqual(['hint'])
    clock.advance(1)
    expect(await store.get('state')).toBeUndefined()
    expect(await store.list('user')).toEqual([])
  })

  test('at the key cap a new key is refused, and every key already counted stays exact', async () => {
    const clock = fakeClock(START)
    const store = createMemoryStore({ now: clock.now, maxKeys: 3, keptKeys: 0 })
    const budget = [{ key: 'budget', limit: 2, windowMs: 60_000 }]
    expect(await store.take(budget)).toEqual({ taken: true, at: START })
    expect(await store.set('spent', '1', { ttlMs: 60_000, ifAbsent: true })).toBe(true)
    await store.append('user', 'one', { max: 5, ttlMs: 1_000 })

    // A flood of new keys is refused: nothing stored is forgotten to make room for it.
    for (let i = 0; i < 1_000; i++) {
      await expect(
        store.take([{ key: `flood-${i}`, limit: 2, windowMs: 60_000 }]),
      ).rejects.toBeInstanceOf(StoreUnavailable)
    }
    await expect(store.set('new-state', '1', { ttlMs: 60_000 })).rejects.toThrow(
      /full \(3 live keys\)/,
    )
    await expect(store.append('new-user', 'x', { max: 5, ttlMs: 1_000 })).rejects.toBeInstanceOf(
      StoreUnavailable,
    )

    // Keys already there go on as before: the budget is not reset, the spent state stays spent.
    expect((await store.take(budget)).taken).toBe(true)
    expect(await store.take(budget)).toEqual({
      taken: false,
      retryAfterMs: 60_001,
      refusedBy: ['budget'],
    })
    expect(await store.set('spent', '1', { ttlMs: 60_000, ifAbsent: true })).toBe(false)
    await store.append('user', 'two', { max: 5, ttlMs: 1_000 })
    expect(await store.list('user')).toEqual(['one', 'two'])

    // Once a key expires, its room is free again.
    clock.advance(1_000)
    expect(await store.set('new-state', '1', { ttlMs: 60_000, ifAbsent: true })).toBe(true)
  })

  test('a take that finds no room for one of its keys counts none of them', async () => {
    const store = createMemoryStore({ now: fakeClock(START).now, maxKeys: 2, keptKeys: 0 })
    const total = { key: 'total', limit: 5, windowMs: 60_000 }
    await store.take([total])
    await store.set('other', '1', { ttlMs: 60_000 })
    await expect(
      store.take([total, { key: 'share', limit: 5, windowMs: 60_000 }]),
    ).rejects.toBeInstanceOf(StoreUnavailable)
    for (let i = 0; i < 4; i++) expect((await store.take([total])).taken).toBe(true)
    expect((await store.take([total])).taken).toBe(false)
  })

  test('the kept room is for kept writes only: what fills the rest cannot take it', async () => {
    const store = createMemoryStore({ now: fakeClock(START).now, maxKeys: 10, keptKeys: 3 })
    let stored = 0
    for (let i = 0; i < 100; i++) {
      await store.set(`spent-${i}`, '1', { ttlMs: 60_000 }).then(
        () => stored++,
        () => {},
      )
    }
    expect(stored).toBe(7)
    for (let i = 0; i < 3; i++) {
      expect(await store.set(`ended-${i}`, '1', { ttlMs: 60_000, kept: true })).toBe(true)
    }
    expect(await store.increment('ended-0', { ttlMs: 60_000, kept: true })).toBe(2)
    await expect(store.increment('ended-3', { ttlMs: 60_000, kept: true })).rejects.toThrow(
      /full \(10 live keys\)/,
    )
  })

  test('a message reaches subscribers on a microtask, never inside publish', async () => {
    const store = createMemoryStore()
    const received: string[] = []
    await store.subscribe('notify', (message) => received.push(message))
    const published = store.publish('notify', 'hello')
    expect(received).toEqual([])
    await published
    await Promise.resolve()
    expect(received).toEqual(['hello'])
  })

  test('a subscriber that leaves before a pending delivery does not get it', async () => {
    const store = createMemoryStore()
    const received: string[] = []
    const leave = await store.subscribe('notify', (message) => received.push(message))
    const published = store.publish('notify', 'hello')
    await leave()
    await published
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(received).toEqual([])
  })
})

describe('expiring map', () => {
  test('writes sweep expired entries a bounded number at a time, never walking every key', () => {
    const clock = fakeClock(0)
    const map = createExpiringMap<number>({ now: clock.now, maxKeys: 10_000 })
    for (let i = 0; i < 1_000; i++) map.set(`old-${i}`, i, 10)
    clock.advance(10)
    map.set('new', 0, 100)
    expect(map.size).toBe(1_000 - 64 + 1)
    for (let i = 0; i < 15; i++) map.set('new', i, 100)
    expect(map.size).toBe(1)
  })

  test('an entry written many times keeps its latest value and expiry', () => {
    const clock = fakeClock(0)
    const map = createExpiringMap<number>({ now: clock.now, maxKeys: 10 })
    for (let i = 0; i < 10_000; i++) map.set('key', i, i + 5)
    map.set('other', 0, 5)
    clock.advance(10_003)
    expect(map.get('other')).toBeUndefined()
    expect(map.get('key')).toBe(9_999)
    clock.advance(1)
    expect(map.get('key')).toBeUndefined()
  })

  test('a full map refuses new keys until one of its entries expires', () => {
    const clock = fakeClock(0)
    const map = createExpiringMap<string>({ now: clock.now, maxKeys: 2 })
    expect(map.set('a', 'a', 50)).toBe(true)
    expect(map.set('b', 'b', 100)).toBe(true)
    expect(map.set('c', 'c', 100)).toBe(false)
    expect(map.set('a', 'again', 50)).toBe(true)
    expect(map.get('c')).toBeUndefined()
    clock.advance(50)
    expect(map.set('c', 'c', 100)).toBe(true)
    expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([undefined, 'b', 'c'])
  })
})
