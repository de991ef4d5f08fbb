import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import type { SharedStore } from '../../relay/core/store/shared-store'
import { createRedisStore } from '../../relay/node/redis-store'
import { randomState } from '../../web/react/auth/random-state'
import { createApiClient } from '../support/api-client'
import { LOGIN_COOKIE, SESSION_COOKIE } from '../support/cookies'
import { connect, startLogin } from '../support/login'
import { startRedis, type TestRedis } from '../support/redis'
import { type Stack, type StackOptions, startStack } from '../support/stack'

// Two relay instances, each with its own connection to one real Redis (Debian's redis-server on
// a free port): what one instance learns, the other knows — the app's Withings budget, the states
// already spent, the sessions ended by Disconnect.

let redis: TestRedis
let stack: Stack | undefined
const stores: SharedStore[] = []

beforeAll(async () => {
  redis = await startRedis()
})
afterEach(async () => {
  await stack?.close()
  await Promise.all(stores.splice(0).map((store) => store.close()))
})
afterAll(() => redis?.stop())

/** The stack's relay on one Redis connection, and a second instance on another. */
async function twoInstances(relay: StackOptions['relay'] = {}) {
  const prefix = `instances-${randomState().slice(0, 8)}:`
  const [first, second] = [1, 2].map(() => createRedisStore({ url: redis.url, prefix }))
  stores.push(first as SharedStore, second as SharedStore)
  stack = await startStack({ relay, store: first })
  const other = await stack.addRelay({}, { store: second })
  return { stack, other }
}

describe('two relay instances sharing one Redis', () => {
  test('a state spent at one instance cannot be spent at the other with a copy of the cookie', async () => {
    const { stack, other } = await twoInstances()
    const api = createApiClient(stack.appUrl)
    const login = await startLogin(stack, api)
    const keptCookie = api.jar.get(LOGIN_COOKIE)
    expect((await api.post('/api/auth/token', login.body)).status).toBe(200)

    const replay = createApiClient(stack.appUrl)
    replay.jar.set(LOGIN_COOKIE, keptCookie ?? '')
    const second = await startLogin(stack, createApiClient(stack.appUrl))
    const answer = await replay.post(
      '/api/auth/token',
      { code: second.code, state: login.state },
      { base: other },
    )
    expect(answer.status).toBe(400)
    expect((await answer.json()).error.code).toBe('invalid_state')
    expect(stack.emulator.requests.count({ grantType: 'authorization_code' })).toBe(1)
  })

  test('a session disconnected at one instance opens nothing at the other', async () => {
    const { stack, other } = await twoInstances()
    const api = createApiClient(stack.appUrl)
    expect((await connect(stack, api)).status).toBe(200)
    const copy = api.jar.get(SESSION_COOKIE)
    expect((await api.post('/api/auth/logout')).status).toBe(200)

    const thief = createApiClient(stack.appUrl)
    thief.jar.set(SESSION_COOKIE, copy ?? '')
    expect((await thief.post('/api/auth/session', undefined, { base: other })).status).toBe(204)
  })

  test("the app's Withings budget is one count across instances", async () => {
    // 10 calls a minute: the data calls' share is 4, whichever instance makes them.
    const { stack, other } = await twoInstances({ withingsCallsPerMinute: 10 })
    const api = createApiClient(stack.appUrl)
    expect((await connect(stack, api)).status).toBe(200)
    const statuses: number[] = []
    for (let call = 0; call < 6; call++) {
      const base = call % 2 === 0 ? stack.appUrl : other
      const answer = await api.post('/api/withings/v2/heart', { action: 'list' }, { base })
      statuses.push(answer.status)
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429])
    expect(stack.emulator.requests.count({ route: 'data' })).toBe(4)
  })
})
