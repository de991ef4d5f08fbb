import Redis from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import type { SharedStore } from '../../relay/core/store/shared-store'
import { createRedisStore } from '../../relay/node/redis-store'
import { createApiClient } from '../support/api-client'
import { SESSION_COOKIE } from '../support/cookies'
import { connect } from '../support/login'
import { startRedis, type TestRedis } from '../support/redis'
import { type Stack, startStack } from '../support/stack'
import { collectUncaught } from '../support/uncaught'

// What protects people must not switch off silently when Redis cannot hold it: paused (SIGSTOP,
// as a long fork or a swapping host does), stopped, or full. The relay against the real Redis and
// the real emulator over HTTP.

let redis: TestRedis
let admin: Redis
let stack: Stack | undefined
let store: SharedStore | undefined
const uncaught = collectUncaught()
let tests = 0

beforeAll(async () => {
  redis = await startRedis()
  admin = new Redis(redis.url)
  // Redis is stopped on purpose here: the admin connection waits for it quietly.
  admin.on('error', () => {})
})
afterEach(async () => {
  redis.resume()
  await stack?.close()
  await store?.close()
  stack = undefined
})
afterAll(async () => {
  admin?.disconnect()
  await redis?.stop()
  expect(uncaught).toEqual([])
})

async function stackOnRedis(relay: Parameters<typeof startStack>[0] = {}) {
  const prefix = `protections-${++tests}:`
  store = createRedisStore({ url: redis.url, prefix, onError: () => {} })
  stack = await startStack({ store, ...relay })
  return { stack, prefix }
}

describe('Disconnect when Redis cannot record it', () => {
  test('Redis paused: 503 disconnect_incomplete, the cookie kept and nothing revoked; then done on retry', async () => {
    const { stack } = await stackOnRedis()
    const api = createApiClient(stack.appUrl)
    expect((await connect(stack, api, { scopes: ['user.info'] })).status).toBe(200)
    const copy = api.jar.get(SESSION_COOKIE)

    redis.pause()
    const stalled = await api.post('/api/auth/logout')
    expect(stalled.status).toBe(503)
    expect(await stalled.json()).toEqual({
      error: {
        code: 'disconnect_incomplete',
        message: 'Disconnect could not record the end of this session just now: try again.',
        retryable: true,
        retry_after: 2,
      },
    })
    expect(api.jar.get(SESSION_COOKIE)).toBe(copy)
    expect(stack.emulator.requests.count({ route: 'revoke' })).toBe(0)

    redis.resume()
    const done = await api.post('/api/auth/logout')
    expect(done.status).toBe(200)
    expect(await done.json()).toEqual({ withings_informed: true })
    const thief = createApiClient(stack.appUrl)
    thief.jar.set(SESSION_COOKIE, copy ?? '')
    expect((await thief.post('/api/auth/session')).status).toBe(204)
  })

  test('Redis stopped: the same answer, never a 200 that left a copied cookie working', async () => {
    const { stack } = await stackOnRedis()
    const api = createApiClient(stack.appUrl)
    expect((await connect(stack, api, { scopes: ['user.info'] })).status).toBe(200)
    await redis.stop()
    try {
      const answer = await api.post('/api/auth/logout')
      expect(answer.status).toBe(503)
      expect((await answer.json()).error.code).toBe('disconnect_incomplete')
      expect(api.jar.has(SESSION_COOKIE)).toBe(true)
    } finally {
      await redis.restart()
    }
  })

  test('one ended-session marker per person, however often they connect and disconnect', async () => {
    const { stack, prefix } = await stackOnRedis()
    const api = createApiClient(stack.appUrl)
    for (let round = 0; round < 12; round++) {
      expect((await connect(stack, api, { scopes: ['user.info'] })).status).toBe(200)
      expect((await api.post('/api/auth/logout')).status).toBe(200)
    }
    // The person's keys: the same four after twelve rounds as after one (the notify list's
    // cooldown is one per person and set of categories).
    const values = await admin.keys(`${prefix}value:*`)
    const perPerson = values.filter((key) => key.includes(':363')).sort()
    expect(perPerson).toEqual([
      `${prefix}value:notify-listed:363:`,
      `${prefix}value:notify-subscriptions:363`,
      `${prefix}value:person-ended:363`,
      `${prefix}value:person-generation:363`,
    ])
    expect(await admin.pttl(`${prefix}value:person-ended:363`)).toBeGreaterThan(29 * 86_400_000)
  })
})

describe('the app budget while Redis is stopped', () => {
  test('counted in the instance’s memory: 180 data calls, no more than the data share reach Withings', async () => {
    const { stack } = await stackOnRedis({ relay: { rateLimitPerMinute: 1_000 } })
    const api = createApiClient(stack.appUrl)
    expect((await connect(stack, api, { scopes: ['user.metrics'] })).status).toBe(200)
    await redis.stop()
    try {
      const statuses: number[] = []
      for (let call = 0; call < 180; call++) {
        statuses.push((await api.post('/api/withings/measure', { action: 'getmeas' })).status)
      }
      const reached = stack.emulator.requests.count({ route: 'data' })
      console.info(`Redis stopped: ${reached} of 180 data calls reached Withings (budget 100)`)
      expect(reached).toBe(40)
      expect(statuses.filter((status) => status === 429)).toHaveLength(140)
      expect(stack.logs).toContainEqual(
        expect.objectContaining({ msg: "app budget counted in this instance's memory" }),
      )
    } finally {
      await redis.restart()
    }
  })
})
