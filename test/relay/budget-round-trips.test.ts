import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import type { SharedStore } from '../../relay/core/store/shared-store'
import { createRedisStore } from '../../relay/node/redis-store'
import { createApiClient } from '../support/api-client'
import { connect } from '../support/login'
import { startRedis, type TestRedis } from '../support/redis'
import { fakeClock, type Stack, startStack } from '../support/stack'

// What the app budget costs in Redis round trips: every store operation is one (a MULTI goes as
// one pipeline). Counted by the operation's name on the real Redis store the relay is given.

let redis: TestRedis
let stack: Stack
beforeAll(async () => {
  redis = await startRedis()
})
afterEach(() => stack?.close())
afterAll(() => redis?.stop())

/** The store, and every operation made on it by name since the last `reset`. */
function counting(store: SharedStore) {
  const calls: string[] = []
  const counted = new Proxy(store, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver)
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        calls.push(String(name))
        return value.apply(target, args)
      }
    },
  })
  return {
    store: counted,
    /** Operations that count in the app budget (sliding-window counters). */
    budgetTrips: () => calls.filter((name) => name === 'take' || name === 'refund').length,
    reset: () => {
      calls.length = 0
    },
  }
}

describe('the app budget in Redis round trips, with signed token requests', () => {
  test('a signed refresh costs one round trip; a signed code exchange two (count, and give back)', async () => {
    const clock = fakeClock()
    const redisStore = createRedisStore({ url: redis.url, prefix: 'trips:', now: clock.now })
    const trips = counting(redisStore)
    stack = await startStack({
      now: clock.now,
      store: trips.store,
      relay: { signedTokenRequests: true },
    })
    const api = createApiClient(stack.appUrl)
    trips.reset()
    const answer = await connect(stack, api, { scopes: ['user.info'] })
    expect(answer.status).toBe(200)
    const exchange = trips.budgetTrips()
    const view = await answer.json()

    clock.advance(view.refresh_at * 1000 - clock.now())
    trips.reset()
    expect((await api.post('/api/auth/session')).status).toBe(200)
    expect(stack.emulator.requests.count({ grantType: 'refresh_token' })).toBe(1)
    const refresh = trips.budgetTrips()

    console.info(`budget round trips: signed exchange ${exchange}, signed refresh ${refresh}`)
    expect(refresh).toBe(1)
    expect(exchange).toBe(2)
    await redisStore.close()
  })
})
