import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { type SharedStore, StoreUnavailable } from '../../relay/core/store/shared-store'

// The contract every SharedStore keeps, run against each implementation.

export interface StoreHarness {
  /**
   * A store instance. Instances opened in one test share their state, like relay instances on
   * one Redis (the memory harness hands out the same store).
   */
  open(): SharedStore
  /** The clock windows are counted on, and moving it. */
  now(): number
  tick(ms: number): void
  /** Lets `ms` pass for expiry too (on Redis, real time). */
  elapse(ms: number): Promise<void>
  /** What the stores' onError were told. */
  errors: unknown[]
  /** The smallest window the property tests may count in. */
  minWindowMs: number
  close(): Promise<void>
}

/** Windows are aligned on multiples of windowMs: the clock starts on a boundary of all of them. */
export const START = 1_800_000_000_000
const MINUTE = 60_000

/** A take of one counter, answered without its clock (`at`), which the refund tests read. */
async function takeOne(
  store: SharedStore,
  key: string,
  limit: number,
  windowMs: number,
): Promise<{ taken: true } | { taken: false; retryAfterMs: number }> {
  const result = await store.take([{ key, limit, windowMs }])
  if (result.taken) return { taken: true }
  expect(result.refusedBy).toEqual([key])
  return { taken: false, retryAfterMs: result.retryAfterMs }
}

export function describeSharedStore(name: string, createHarness: () => Promise<StoreHarness>) {
  describe(`${name}: the SharedStore contract`, () => {
    let harness: StoreHarness
    let store: SharedStore
    beforeEach(async () => {
      harness = await createHarness()
      store = harness.open()
    })
    afterEach(() => harness.close())

    describe('take, a sliding window counter', () => {
      test('counts up to the limit in a window, then refuses until the previous one weighs less', async () => {
        for (let i = 0; i < 3; i++)
          expect(await takeOne(store, 'k', 3, MINUTE)).toEqual({ taken: true })
        // Next window: the 3 still weigh 3 at its first millisecond, less than 3 after it.
        expect(await takeOne(store, 'k', 3, MINUTE)).toEqual({
          taken: false,
          retryAfterMs: MINUTE + 1,
        })
        harness.tick(MINUTE)
        expect(await takeOne(store, 'k', 3, MINUTE)).toEqual({ taken: false, retryAfterMs: 1 })
        harness.tick(1)
        expect(await takeOne(store, 'k', 3, MINUTE)).toEqual({ taken: true })
      })

      test("weights the previous window's count by the part of it still overlapping", async () => {
        for (let i = 0; i < 10; i++) await takeOne(store, 'k', 10, MINUTE)
        harness.tick(MINUTE + MINUTE / 2) // half of the previous window still overlaps: 10 weigh 5
        for (let i = 0; i < 5; i++)
          expect(await takeOne(store, 'k', 10, MINUTE)).toEqual({ taken: true })
        expect(await takeOne(store, 'k', 10, MINUTE)).toEqual({ taken: false, retryAfterMs: 1 })
        harness.tick(1)
        expect(await takeOne(store, 'k', 10, MINUTE)).toEqual({ taken: true })
        // 6 now, and the 10 weigh 4 only once 40% of them overlap: 6 s on.
        expect(await takeOne(store, 'k', 10, MINUTE)).toEqual({ taken: false, retryAfterMs: 6_000 })
      })

      test("a window's last millisecond weighs fully in the next one's first", async () => {
        harness.tick(MINUTE - 1)
        expect(await takeOne(store, 'k', 1, MINUTE)).toEqual({ taken: true })
        harness.tick(1)
        expect(await takeOne(store, 'k', 1, MINUTE)).toEqual({ taken: false, retryAfterMs: 1 })
        harness.tick(1)
        // The estimate assumes the previous window's events were spread over it.
        expect(await takeOne(store, 'k', 1, MINUTE)).toEqual({ taken: true })
      })

      test('a refused take counts nothing', async () => {
        for (let i = 0; i < 2; i++) await takeOne(store, 'k', 2, MINUTE)
        for (let i = 0; i < 5; i++) {
          expect(await takeOne(store, 'k', 2, MINUTE)).toEqual({
            taken: false,
            retryAfterMs: MINUTE + 1,
          })
        }
        harness.tick(MINUTE + 1)
        expect(await takeOne(store, 'k', 2, MINUTE)).toEqual({ taken: true })
      })

      test('forgets a window once a whole window has passed after it', async () => {
        for (let i = 0; i < 2; i++) await takeOne(store, 'k', 2, MINUTE)
        harness.tick(2 * MINUTE)
        for (let i = 0; i < 2; i++)
          expect(await takeOne(store, 'k', 2, MINUTE)).toEqual({ taken: true })
        expect((await takeOne(store, 'k', 2, MINUTE)).taken).toBe(false)
      })

      test('counts every key apart, and apart from values and lists of the same name', async () => {
        expect(await takeOne(store, 'a', 1, MINUTE)).toEqual({ taken: true })
        expect(await takeOne(store, 'b', 1, MINUTE)).toEqual({ taken: true })
        expect((await takeOne(store, 'a', 1, MINUTE)).taken).toBe(false)
        expect(await store.get('a')).toBeUndefined()
        expect(await store.set('a', 'v', { ttlMs: MINUTE, ifAbsent: true })).toBe(true)
        expect(await store.list('a')).toEqual([])
      })

      test('never counts past the limit under concurrent takes from two instances', async () => {
        const other = harness.open()
        const results = await Promise.all(
          Array.from({ length: 40 }, (_, i) => takeOne(i % 2 ? store : other, 'k', 15, MINUTE)),
        )
        expect(results.filter((result) => result.taken)).toHaveLength(15)
      })

      test('a limit or window it cannot count is a RangeError, not an outage', async () => {
        for (const [limit, windowMs] of [
          [0, MINUTE],
          [1.5, MINUTE],
          [Number.NaN, MINUTE],
          [3, 0],
          [3, -1],
          [2 ** 30, 2 ** 30],
        ] as const) {
          await expect(takeOne(store, 'k', limit, windowMs)).rejects.toBeInstanceOf(RangeError)
        }
      })

      test('retryAfterMs is exact: refused a millisecond before it, counted at it', async () => {
        let run = 0
        await fc.assert(
          fc.asyncProperty(
            fc.integer({ min: 1, max: 12 }),
            fc.integer({ min: harness.minWindowMs, max: 5 * harness.minWindowMs }),
            fc.array(fc.double({ min: 0, max: 1.5, noNaN: true }), { minLength: 1, maxLength: 25 }),
            async (limit, windowMs, steps) => {
              const key = `property-${run++}`
              const takenIn = new Map<number, number>()
              for (const step of steps) {
                harness.tick(Math.floor(step * windowMs))
                const result = await takeOne(store, key, limit, windowMs)
                if (result.taken) {
                  const window = Math.floor(harness.now() / windowMs)
                  takenIn.set(window, (takenIn.get(window) ?? 0) + 1)
                  expect(takenIn.get(window)).toBeLessThanOrEqual(limit)
                  continue
                }
                expect(Number.isInteger(result.retryAfterMs)).toBe(true)
                harness.tick(result.retryAfterMs - 1)
                if (result.retryAfterMs > 1) {
                  expect(await takeOne(store, key, limit, windowMs)).toEqual({
                    taken: false,
                    retryAfterMs: 1,
                  })
                }
                harness.tick(1)
                expect(await takeOne(store, key, limit, windowMs)).toEqual({ taken: true })
                const window = Math.floor(harness.now() / windowMs)
                takenIn.set(window, (takenIn.get(window) ?? 0) + 1)
              }
            },
          ),
          { numRuns: 25 },
        )
      })
    })

    describe('take, several counters at once', () => {
      const budget = (key: string, limit: number, amount = 1) => ({
        key,
        limit,
        windowMs: MINUTE,
        amount,
      })

      test('all counted or none: a counter without room leaves the others as they were', async () => {
        expect((await store.take([budget('share', 2), budget('total', 3)])).taken).toBe(true)
        expect((await store.take([budget('total', 3)])).taken).toBe(true)
        expect((await store.take([budget('total', 3)])).taken).toBe(true)
        // The total is full: the share, which had room, is not spent by the refusal.
        expect(await store.take([budget('share', 2), budget('total', 3)])).toEqual({
          taken: false,
          retryAfterMs: MINUTE + 1,
          refusedBy: ['total'],
        })
        expect((await store.take([budget('share', 2)])).taken).toBe(true)
        expect((await store.take([budget('share', 2)])).taken).toBe(false)
      })

      test('the wait is the longest of the counters without room', async () => {
        const long = { key: 'long', limit: 1, windowMs: 10 * MINUTE }
        await store.take([budget('short', 1), long])
        harness.tick(MINUTE / 2)
        // Short: its one weighs less than one 30 s into the next minute; long: 9½ minutes on.
        const waits = await store.take([budget('short', 1), long, budget('free', 1)])
        expect(waits).toEqual({
          taken: false,
          retryAfterMs: 9.5 * MINUTE + 1,
          refusedBy: ['short', 'long'],
        })
        expect(await store.take([budget('short', 1), budget('free', 1)])).toEqual({
          taken: false,
          retryAfterMs: MINUTE / 2 + 1,
          refusedBy: ['short'],
        })
      })

      test('an amount counts as that many takes in a row: allowed exactly when the last would be', async () => {
        expect((await store.take([budget('k', 5, 2)])).taken).toBe(true)
        expect((await store.take([budget('k', 5, 2)])).taken).toBe(true)
        // Four counted: one more fits, two do not.
        expect((await store.take([budget('k', 5, 2)])).taken).toBe(false)
        expect((await store.take([budget('k', 5, 1)])).taken).toBe(true)
        expect((await store.take([budget('k', 5, 1)])).taken).toBe(false)
      })

      test('an amount above the limit, a repeated key or no counter is a RangeError', async () => {
        for (const counters of [[budget('k', 2, 3)], [budget('k', 2), budget('k', 2)], []]) {
          await expect(store.take(counters)).rejects.toBeInstanceOf(RangeError)
        }
      })

      test('never counts past any limit under concurrent takes from two instances', async () => {
        const other = harness.open()
        const results = await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            (i % 2 ? store : other).take([budget(`share-${i % 3}`, 6), budget('total', 15)]),
          ),
        )
        expect(results.filter((result) => result.taken)).toHaveLength(15)
      })
    })

    describe('refund', () => {
      const counter = { key: 'k', limit: 2, windowMs: MINUTE }

      test('gives back what a take counted, in its window', async () => {
        const first = await store.take([counter])
        await store.take([counter])
        expect((await store.take([counter])).taken).toBe(false)
        if (!first.taken) throw new Error('not taken')
        await store.refund({ ...counter, at: first.at })
        expect((await store.take([counter])).taken).toBe(true)
        expect((await store.take([counter])).taken).toBe(false)
      })

      test('in the next window, it lightens the previous window it was counted in', async () => {
        const taken = await store.take([{ ...counter, limit: 1 }])
        harness.tick(MINUTE)
        // The one counted weighs fully at the next window's start…
        expect((await store.take([{ ...counter, limit: 1 }])).taken).toBe(false)
        if (!taken.taken) throw new Error('not taken')
        await store.refund({ ...counter, at: taken.at })
        // …and nothing once given back.
        expect((await store.take([{ ...counter, limit: 1 }])).taken).toBe(true)
      })

      test('never below none, and nothing for a counter never counted', async () => {
        const taken = await store.take([counter])
        if (!taken.taken) throw new Error('not taken')
        for (let i = 0; i < 3; i++) await store.refund({ ...counter, amount: 2, at: taken.at })
        await store.refund({ ...counter, key: 'never', at: taken.at })
        expect((await store.take([counter])).taken).toBe(true)
        expect((await store.take([counter])).taken).toBe(true)
        expect((await store.take([counter])).taken).toBe(false)
      })
    })

    // On Redis these wait in real time: what must still be there is checked 400 ms or more
    // before it may expire, what must be gone only once it has.
    describe('get, set, increment and delete: values', () => {
      test('a value lives ttlMs; ifAbsent stores only where nothing is', async () => {
        expect(await store.get('state')).toBeUndefined()
        expect(await store.set('state', 'one', { ttlMs: 600, ifAbsent: true })).toBe(true)
        expect(await store.set('state', 'two', { ttlMs: 600, ifAbsent: true })).toBe(false)
        expect(await store.get('state')).toBe('one')
        await harness.elapse(700)
        expect(await store.get('state')).toBeUndefined()
        expect(await store.set('state', 'three', { ttlMs: 600, ifAbsent: true })).toBe(true)
        expect(await harness.open().get('state')).toBe('three')
      })

      test('without ifAbsent a value is replaced, with its new ttl', async () => {
        await store.set('person', 'old', { ttlMs: 600 })
        expect(await store.set('person', 'new', { ttlMs: 1_400 })).toBe(true)
        await harness.elapse(800)
        expect(await store.get('person')).toBe('new')
      })

      test('a refused ifAbsent does not make the value live longer', async () => {
        await store.set('state', 'x', { ttlMs: 800, ifAbsent: true })
        await harness.elapse(400)
        expect(await store.set('state', 'y', { ttlMs: 800, ifAbsent: true })).toBe(false)
        await harness.elapse(500)
        expect(await store.get('state')).toBeUndefined()
      })

      test('exactly one of many concurrent ifAbsent sets from two instances wins', async () => {
        const other = harness.open()
        const claims = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            (i % 2 ? store : other).set('state', String(i), { ttlMs: MINUTE, ifAbsent: true }),
          ),
        )
        expect(claims.filter(Boolean)).toHaveLength(1)
        expect(await other.get('state')).toBeDefined()
      })

      test('increment counts from one, each instance seeing the others, and renews the ttl', async () => {
        const other = harness.open()
        const counted = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            (i % 2 ? store : other).increment('generation', { ttlMs: 600 }),
          ),
        )
        expect(counted.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        await harness.elapse(400)
        expect(await store.increment('generation', { ttlMs: 600 })).toBe(11)
        await harness.elapse(400)
        expect(await store.get('generation')).toBe('11')
        await harness.elapse(300)
        expect(await store.get('generation')).toBeUndefined()
        expect(await store.increment('generation', { ttlMs: 600 })).toBe(1)
      })

      test('delete forgets a value, and a missing one is fine', async () => {
        await store.set('ticket', 'spent', { ttlMs: MINUTE })
        await store.delete('ticket')
        await store.delete('never')
        expect(await store.get('ticket')).toBeUndefined()
        expect(await store.set('ticket', 'again', { ttlMs: MINUTE, ifAbsent: true })).toBe(true)
      })

      test('a ttl that is not a positive whole number of milliseconds is a RangeError', async () => {
        for (const ttlMs of [0, -5, 2.5, Number.POSITIVE_INFINITY]) {
          await expect(store.set('state', 'x', { ttlMs })).rejects.toBeInstanceOf(RangeError)
          await expect(store.increment('n', { ttlMs })).rejects.toBeInstanceOf(RangeError)
        }
      })
    })

    describe('append and list, short lists', () => {
      test('items oldest first, the newest max kept, verbatim', async () => {
        expect(await store.list('user')).toEqual([])
        const items = ['{"appli":1}', '', 'é ✓ 🫀', 'a\nb', 'last']
        for (const item of items) await store.append('user', item, { max: 4, ttlMs: MINUTE })
        expect(await store.list('user')).toEqual(items.slice(-4))
        expect(await harness.open().list('user')).toEqual(items.slice(-4))
      })

      test('the whole list expires ttlMs after its last append', async () => {
        await store.append('user', 'first', { max: 10, ttlMs: 800 })
        await harness.elapse(400)
        await store.append('user', 'second', { max: 10, ttlMs: 800 })
        await harness.elapse(400)
        expect(await store.list('user')).toEqual(['first', 'second'])
        await harness.elapse(500)
        expect(await store.list('user')).toEqual([])
      })

      test('a list handed out is a copy', async () => {
        await store.append('user', 'one', { max: 10, ttlMs: MINUTE })
        const items = await store.list('user')
        items.push('mine')
        expect(await store.list('user')).toEqual(['one'])
      })

      test('max and ttlMs must be positive whole numbers', async () => {
        await expect(store.append('user', 'x', { max: 0, ttlMs: MINUTE })).rejects.toBeInstanceOf(
          RangeError,
        )
        await expect(store.append('user', 'x', { max: 3, ttlMs: 0 })).rejects.toBeInstanceOf(
          RangeError,
        )
        expect(await store.list('user')).toEqual([])
      })
    })

    describe('publish and subscribe', () => {
      test('every message published after subscribing, in order, from any instance', async () => {
        const received: string[] = []
        await store.subscribe('notify', (message) => received.push(message))
        const other = harness.open()
        await other.publish('notify', 'one')
        await store.publish('notify', 'two')
        await other.publish('notify', 'three')
        await vi.waitFor(() => expect(received).toEqual(['one', 'two', 'three']))
      })

      test('only the channel subscribed to', async () => {
        const received: string[] = []
        await store.subscribe('notify', (message) => received.push(message))
        await store.publish('other', 'not for us')
        await store.publish('notify', 'for us')
        await vi.waitFor(() => expect(received).toEqual(['for us']))
      })

      test('each subscriber gets every message; one that leaves gets no more', async () => {
        const first: string[] = []
        const second: string[] = []
        const leave = await store.subscribe('notify', (message) => first.push(message))
        await harness.open().subscribe('notify', (message) => second.push(message))
        await store.publish('notify', 'both')
        await vi.waitFor(() => expect(first).toEqual(['both']))
        await leave()
        await store.publish('notify', 'second only')
        await vi.waitFor(() => expect(second).toEqual(['both', 'second only']))
        expect(first).toEqual(['both'])
        await leave() // twice is harmless
      })

      test('the same channel left by its last subscriber can be subscribed again', async () => {
        const received: string[] = []
        const leave = await store.subscribe('notify', () => {})
        await leave()
        await store.subscribe('notify', (message) => received.push(message))
        await store.publish('notify', 'again')
        await vi.waitFor(() => expect(received).toEqual(['again']))
      })

      test("a subscriber's exception reaches onError and spares the others", async () => {
        const received: string[] = []
        const failure = new Error('subscriber bug')
        await store.subscribe('notify', () => {
          throw failure
        })
        await store.subscribe('notify', (message) => received.push(message))
        await store.publish('notify', 'hello')
        await vi.waitFor(() => expect(received).toEqual(['hello']))
        expect(harness.errors).toContain(failure)
      })

      test('publishing to a channel nobody listens to is fine', async () => {
        await expect(store.publish('nobody', 'hello')).resolves.toBeUndefined()
      })
    })

    test('once closed, every operation rejects with StoreUnavailable', async () => {
      await store.close()
      const operations = [
        takeOne(store, 'k', 1, MINUTE),
        store.refund({ key: 'k', windowMs: MINUTE, at: harness.now() }),
        store.get('k'),
        store.set('k', 'v', { ttlMs: MINUTE }),
        store.increment('k', { ttlMs: MINUTE }),
        store.delete('k'),
        store.append('k', 'x', { max: 1, ttlMs: MINUTE }),
        store.list('k'),
        store.publish('c', 'x'),
        store.subscribe('c', () => {}),
      ]
      for (const operation of operations) {
        await expect(operation).rejects.toBeInstanceOf(StoreUnavailable)
      }
    })
  })
}
