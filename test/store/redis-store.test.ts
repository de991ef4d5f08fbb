import { createServer, type Server, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import Redis from 'ioredis'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type SharedStore, StoreUnavailable } from '../../relay/core/store/shared-store'
import { createRedisStore, type RedisStoreOptions } from '../../relay/node/redis-store'
import { startRedis, type TestRedis } from '../support/redis'
import { fakeClock } from '../support/stack'
import { describeSharedStore, START } from './shared-store-contract'

let redis: TestRedis
let admin: Redis
beforeAll(async () => {
  redis = await startRedis()
  admin = new Redis(redis.url)
})
afterAll(async () => {
  admin?.disconnect()
  await redis?.stop()
})

let tests = 0
describeSharedStore('Redis store', async () => {
  const clock = fakeClock(START)
  const errors: unknown[] = []
  const prefix = `contract-${++tests}:`
  const opened: SharedStore[] = []
  return {
    open() {
      const store = createRedisStore({
        url: redis.url,
        prefix,
        now: clock.now,
        onError: (error) => errors.push(error),
      })
      opened.push(store)
      return store
    },
    now: clock.now,
    tick: clock.advance,
    async elapse(ms) {
      clock.advance(ms)
      await sleep(ms)
    },
    errors,
    // Redis expires counters on its own clock: windows longer than a test keep them.
    minWindowMs: 10_000,
    close: async () => {
      await Promise.all(opened.map((store) => store.close()))
    },
  }
})

describe('Redis store', () => {
  const open = (options: Partial<RedisStoreOptions> = {}) =>
    createRedisStore({ url: redis.url, prefix: `own-${++tests}:`, ...options })

  test('keys and channels carry the prefix, withings-link: by default, and hold what they are given', async () => {
    const store = createRedisStore({ url: redis.url })
    try {
      await store.take([{ key: 'budget', limit: 120, windowMs: 60_000 }])
      await store.set('state', 'spent', { ttlMs: 60_000 })
      await store.append('user', 'hint', { max: 5, ttlMs: 60_000 })
      const keys = await admin.keys('withings-link:*')
      expect(keys.sort()).toEqual([
        'withings-link:list:user',
        'withings-link:rate:budget',
        'withings-link:value:state',
      ])
      expect(await admin.get('withings-link:value:state')).toBe('spent')
      expect(await admin.lrange('withings-link:list:user', 0, -1)).toEqual(['hint'])
      expect(await admin.pttl('withings-link:value:state')).toBeGreaterThan(59_000)
      expect(await admin.pttl('withings-link:rate:budget')).toBeGreaterThan(60_000)
      const listener = admin.duplicate()
      await listener.subscribe('withings-link:notify')
      const received = new Promise((resolve) =>
        listener.once('message', (channel, message) => resolve([channel, message])),
      )
      await store.publish('notify', 'hello')
      expect(await received).toEqual(['withings-link:notify', 'hello'])
      listener.disconnect()
    } finally {
      await admin.del(
        'withings-link:value:state',
        'withings-link:list:user',
        'withings-link:rate:budget',
      )
      await store.close()
    }
  })

  test("without a clock, counts on the Redis server's (here this machine's)", async () => {
    const store = open()
    const hour = 3_600_000
    try {
      const counter = { key: 'k', limit: 1, windowMs: hour }
      expect((await store.take([counter])).taken).toBe(true)
      // The server's clock, read before and after: the script read it in between.
      const serverMs = async () => {
        const [seconds, micros] = (await admin.call('TIME')) as [string, string]
        return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000)
      }
      const before = await serverMs()
      const refused = await store.take([counter])
      const after = await serverMs()
      expect(refused.taken).toBe(false)
      // Refused until the next window begins, one millisecond in.
      const retryAfterMs = 'retryAfterMs' in refused ? refused.retryAfterMs : Number.NaN
      expect(retryAfterMs).toBeLessThanOrEqual(hour - (before % hour) + 1)
      expect(retryAfterMs).toBeGreaterThanOrEqual(hour - (after % hour) + 1)
    } finally {
      await store.close()
    }
  })

  test('falls back to EVAL when Redis has forgotten the script (SCRIPT FLUSH, a restart)', async () => {
    const store = open({ now: fakeClock(START).now })
    try {
      const counter = { key: 'k', limit: 2, windowMs: 60_000 }
      expect(await store.take([counter])).toEqual({ taken: true, at: START })
      await admin.script('FLUSH')
      const second = await store.take([counter])
      await admin.script('FLUSH')
      await store.refund({ ...counter, at: second.taken ? second.at : 0 })
      expect(await store.take([counter])).toEqual({ taken: true, at: START })
      expect(await store.take([counter])).toEqual({
        taken: false,
        retryAfterMs: 60_001,
        refusedBy: ['k'],
      })
    } finally {
      await store.close()
    }
  })

  test('a Redis that accepts connections but never answers: StoreUnavailable after commandTimeoutMs', async () => {
    const sockets: Socket[] = []
    const silent: Server = createServer((socket) => sockets.push(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    const address = silent.address()
    const port = typeof address === 'object' && address ? address.port : 0
    const errors: unknown[] = []
    const store = createRedisStore({
      url: `redis://127.0.0.1:${port}`,
      commandTimeoutMs: 200,
      onError: (error) => errors.push(error),
    })
    try {
      // The deadline's own sentence: the command was cut by commandTimeoutMs, not by the socket.
      const counter = { key: 'k', limit: 1, windowMs: 60_000 }
      await expect(store.take([counter])).rejects.toThrow(StoreUnavailable)
      await expect(store.take([counter])).rejects.toThrow(/no answer within 200 ms/)
      await expect(store.get('k')).rejects.toThrow(/no answer within 200 ms/)
    } finally {
      await store.close()
      for (const socket of sockets) socket.destroy()
      await new Promise((resolve) => silent.close(resolve))
    }
  })

  test('a malformed REDIS_URL is a TypeError naming the problem, without the password', () => {
    expect(() => createRedisStore({ url: 'http://user:hunter2@cache:6379' })).toThrow(
      new TypeError(
        'REDIS_URL must start with redis:// or rediss:// (TLS), such as redis://localhost:6379 or rediss://user:password@redis.example.com:6380/0 (got "http://***@cache:6379").',
      ),
    )
  })
})
