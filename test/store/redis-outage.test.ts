import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import { type SharedStore, StoreUnavailable } from '../../relay/core/store/shared-store'
import { createRedisStore } from '../../relay/node/redis-store'
import { startRedis, type TestRedis } from '../support/redis'
import { collectUncaught } from '../support/uncaught'

// Two relay instances on one Redis that goes away (killed, as in a crash) and comes back empty.

let redis: TestRedis
const stores: SharedStore[] = []
const uncaught = collectUncaught()

beforeAll(async () => {
  redis = await startRedis()
})
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()))
  await redis?.stop()
})

/**
 * A command waits for Redis far longer than a test may last: an operation that waited for Redis
 * instead of failing at once would fail its test by timing out, whatever the machine's speed.
 */
const PATIENT_MS = 30_000

function open(onError: (error: unknown) => void = () => {}) {
  const store = createRedisStore({
    url: redis.url,
    prefix: 'outage:',
    onError,
    commandTimeoutMs: PATIENT_MS,
  })
  stores.push(store)
  return store
}

const operations = (store: SharedStore) => ({
  take: () => store.take([{ key: 'budget', limit: 120, windowMs: 60_000 }]),
  refund: () => store.refund({ key: 'budget', windowMs: 60_000, at: Date.now() }),
  get: () => store.get('state'),
  set: () => store.set('state', 'spent', { ttlMs: 600_000, ifAbsent: true }),
  increment: () => store.increment('generation', { ttlMs: 600_000 }),
  delete: () => store.delete('state'),
  append: () => store.append('user', 'hint', { max: 10, ttlMs: 60_000 }),
  list: () => store.list('user'),
  publish: () => store.publish('notify', 'lost'),
  subscribe: () => store.subscribe('elsewhere', () => {}),
})

/**
 * Every operation rejects with StoreUnavailable because the connection is lost, not because a
 * command went unanswered (PATIENT_MS); answers the slowest, for the record.
 */
async function expectAllUnavailable(store: SharedStore): Promise<number> {
  let slowest = 0
  for (const [name, operation] of Object.entries(operations(store))) {
    const started = performance.now()
    const outcome = await operation().then(
      () => `${name} resolved`,
      (error: unknown) => error,
    )
    slowest = Math.max(slowest, performance.now() - started)
    expect(outcome, name).toBeInstanceOf(StoreUnavailable)
    expect(String(outcome), name).not.toMatch(/no answer within/)
  }
  return slowest
}

test('Redis going away and coming back: fast StoreUnavailable meanwhile, then everything works again', async () => {
  const errors: unknown[] = []
  const instanceA = open((error) => errors.push(error))
  const instanceB = open()
  const received: string[] = []
  await instanceA.subscribe('notify', (message) => received.push(message))
  await instanceB.publish('notify', 'before')
  await vi.waitFor(() => expect(received).toEqual(['before']))

  await redis.stop()
  const atOnce = await expectAllUnavailable(instanceA)
  // A store created while Redis is down fails as fast.
  const fresh = open()
  const whileDownFresh = await expectAllUnavailable(fresh)
  // And it stays fast after several reconnection attempts have failed.
  await new Promise((resolve) => setTimeout(resolve, 1_500))
  const later = await expectAllUnavailable(instanceA)
  let strayCalls = 0
  await expect(instanceB.subscribe('notify', () => strayCalls++)).rejects.toBeInstanceOf(
    StoreUnavailable,
  )
  console.info(
    `while down, slowest rejection: ${atOnce.toFixed(1)} ms at once, ${whileDownFresh.toFixed(1)} ms for a new store, ${later.toFixed(1)} ms after 1.5 s`,
  )

  const lost = errors.filter((error) => error instanceof StoreUnavailable).map(String)
  expect(lost.filter((error) => error.includes('commands connection'))).toHaveLength(1)
  expect(lost.filter((error) => error.includes('pub/sub connection'))).toHaveLength(1)

  const restarted = performance.now()
  await redis.restart()
  // Each instance reconnects on its own backoff (at most about a second apart).
  for (const instance of [instanceA, instanceB]) {
    await vi.waitFor(async () => expect(await instance.get('state')).toBeUndefined(), {
      timeout: 5_000,
      interval: 25,
    })
  }
  console.info(`working again ${(performance.now() - restarted).toFixed(0)} ms after the restart`)
  const budget = [{ key: 'budget', limit: 2, windowMs: 60_000 }]
  expect((await instanceA.take(budget)).taken).toBe(true)
  expect((await instanceB.take(budget)).taken).toBe(true)
  expect((await instanceA.take(budget)).taken).toBe(false)
  expect(await instanceB.set('state', 'spent', { ttlMs: 600_000, ifAbsent: true })).toBe(true)
  expect(await instanceA.get('state')).toBe('spent')
  await instanceB.append('user', 'hint', { max: 10, ttlMs: 60_000 })
  expect(await instanceA.list('user')).toEqual(['hint'])

  // The subscription made before the outage hears instance B again (subscribed anew on reconnect).
  await vi.waitFor(
    async () => {
      await instanceB.publish('notify', 'after')
      expect(received).toContain('after')
    },
    { timeout: 5_000, interval: 50 },
  )
  expect(received[0]).toBe('before')
  expect(received).not.toContain('lost')
  // The subscription refused while Redis was down left nothing behind.
  expect(strayCalls).toBe(0)

  expect(uncaught).toEqual([])
})

test('closing while Redis is down is quick and quiet', async () => {
  const store = open()
  await store.get('warm-up')
  await redis.stop()
  // No QUIT sent to a Redis that is gone: waiting PATIENT_MS for its answer would time the test out.
  await store.close()
  await expect(store.get('x')).rejects.toBeInstanceOf(StoreUnavailable)
  await redis.restart()
  expect(uncaught).toEqual([])
})
