import { afterEach, describe, expect, test } from 'vitest'
import { createRelay } from '../../relay/core/create-relay'
import { createTokenBuckets } from '../../relay/core/http/token-buckets'
import { createApiClient } from '../support/api-client'
import { SESSION_COOKIE } from '../support/cookies'
import { connect } from '../support/login'
import { pagePost } from '../support/page-post'
import { testConfig } from '../support/relay-config'
import { fakeClock, type Stack, startStack } from '../support/stack'

describe('token buckets', () => {
  test("a minute's allowance at once, then one token per 60/perMinute seconds", () => {
    const clock = fakeClock(0)
    const buckets = createTokenBuckets({ perMinute: 6, now: clock.now })
    for (let i = 0; i < 6; i++) expect(buckets.take('a')).toBeUndefined()
    expect(buckets.take('a')).toBe(10)
    clock.advance(9_000)
    expect(buckets.take('a')).toBe(1)
    clock.advance(1_000)
    expect(buckets.take('a')).toBeUndefined()
    expect(buckets.take('b')).toBeUndefined()
  })

  test('memory stays bounded: past maxKeys new keys get a full bucket, and no limited key is forgotten', () => {
    const clock = fakeClock(0)
    const buckets = createTokenBuckets({ perMinute: 1, now: clock.now, maxKeys: 3 })
    for (const key of ['a', 'b', 'c']) expect(buckets.take(key)).toBeUndefined()
    for (let i = 0; i < 10_000; i++) expect(buckets.take(`spray-${i}`)).toBeUndefined()
    expect(buckets.size).toBe(3)
    // A spray of new keys does not reset a key being limited.
    expect(buckets.take('a')).toBe(60)
  })

  test('a bucket is forgotten once it would be full again, when forgetting changes nothing', () => {
    const clock = fakeClock(0)
    const buckets = createTokenBuckets({ perMinute: 2, now: clock.now, maxKeys: 1 })
    buckets.take('a')
    expect(buckets.take('b')).toBeUndefined()
    expect(buckets.size).toBe(1)
    // 30 s later a's one token is back: full, so b takes its room and is counted.
    clock.advance(30_000)
    buckets.take('b')
    buckets.take('b')
    expect(buckets.take('b')).toBe(30)
  })
})

const APP = 'http://localhost:3000'
const loginRequest = (headers: Record<string, string> = {}, path = '/api/auth/login') =>
  new Request(`${APP}${path}`, pagePost(APP, { state: 's'.repeat(43) }, headers))

describe('rate limits in the relay', () => {
  test('429 rate_limited with Retry-After, counted per address, per route family', async () => {
    const clock = fakeClock(0)
    let address = '198.51.100.1'
    const app = createRelay(testConfig({ rateLimitPerMinute: 3 }), {
      log: () => {},
      now: clock.now,
      connectionAddress: () => address,
    })
    for (let i = 0; i < 3; i++) expect((await app.request(loginRequest())).status).toBe(204)
    const refused = await app.request(loginRequest())
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('20')
    expect(await refused.json()).toEqual({
      error: {
        code: 'rate_limited',
        message: 'Too many requests from this address: slow down.',
        retryable: true,
        retry_after: 20,
      },
    })
    // Another family keeps its own budget; healthz and config are never limited.
    const other = await app.request(loginRequest({}, '/api/withings/measure'))
    expect(other.status).not.toBe(429)
    expect((await app.request(`${APP}/api/healthz`)).status).toBe(200)

    address = '198.51.100.2'
    expect((await app.request(loginRequest())).status).toBe(204)
    address = '198.51.100.1'
    clock.advance(20_000)
    expect((await app.request(loginRequest())).status).toBe(204)
  })

  test('X-Forwarded-For is ignored unless TRUST_PROXY says how many proxies wrote it', async () => {
    const relay = (trustProxyHops: number) =>
      createRelay(testConfig({ rateLimitPerMinute: 1, trustProxyHops }), {
        log: () => {},
        connectionAddress: () => '10.0.0.1', // the load balancer
      })
    const spoofing = relay(0)
    expect((await spoofing.request(loginRequest({ 'x-forwarded-for': '1.1.1.1' }))).status).toBe(
      204,
    )
    expect((await spoofing.request(loginRequest({ 'x-forwarded-for': '2.2.2.2' }))).status).toBe(
      429,
    )
    const behindProxy = relay(1)
    for (const client of ['1.1.1.1', '2.2.2.2']) {
      const answer = await behindProxy.request(loginRequest({ 'x-forwarded-for': client }))
      expect(answer.status).toBe(204)
    }
    const again = await behindProxy.request(loginRequest({ 'x-forwarded-for': '9.9.9.9, 1.1.1.1' }))
    expect(again.status).toBe(429)
  })

  test('with TRUSTED_PROXY_SECRET, X-Forwarded-For is believed only from the proxy that knows it', async () => {
    const app = createRelay(
      testConfig({
        rateLimitPerMinute: 1,
        trustProxyHops: 1,
        proxySecret: 'static-host-secret-0123',
      }),
      { log: () => {}, connectionAddress: () => '10.0.0.1' },
    )
    const fromProxy = (client: string) =>
      loginRequest({
        'x-forwarded-for': client,
        'x-withings-link-proxy': 'static-host-secret-0123',
      })
    expect((await app.request(fromProxy('1.1.1.1'))).status).toBe(204)
    expect((await app.request(fromProxy('2.2.2.2'))).status).toBe(204)
    // A made-up X-Forwarded-For, or a wrong secret, buys nothing: it counts as the connection.
    expect((await app.request(loginRequest({ 'x-forwarded-for': '3.3.3.3' }))).status).toBe(204)
    const guessed = loginRequest({ 'x-forwarded-for': '4.4.4.4', 'x-withings-link-proxy': 'guess' })
    expect((await app.request(guessed)).status).toBe(429)
  })

  test('made-up route names are refused before the limiter: they push no real client out', async () => {
    const app = createRelay(testConfig({ rateLimitPerMinute: 2 }), {
      log: () => {},
      connectionAddress: () => '198.51.100.7',
    })
    for (let i = 0; i < 2; i++) expect((await app.request(loginRequest())).status).toBe(204)
    expect((await app.request(loginRequest())).status).toBe(429)
    for (let i = 0; i < 10_000; i++) {
      const answer = await app.request(loginRequest({}, `/api/f${i}/x`))
      if (answer.status !== 404) throw new Error(`/api/f${i}/x answered ${answer.status}`)
    }
    // Still limited: the real entry was not pushed out of the bounded store.
    expect((await app.request(loginRequest())).status).toBe(429)
  })

  test('a foreign page cannot spend a visitor budget: refused origins are not counted', async () => {
    const app = createRelay(testConfig({ rateLimitPerMinute: 1 }), { log: () => {} })
    for (let i = 0; i < 5; i++) {
      expect((await app.request(loginRequest({ origin: 'https://evil.example' }))).status).toBe(403)
    }
    expect((await app.request(loginRequest())).status).toBe(204)
  })
})

describe('rate limits over real HTTP, by connection address, with the default of 60 a minute', () => {
  let stack: Stack
  afterEach(() => stack?.close())

  test('three tabs, each reloaded every ten seconds for ten minutes, are never limited', async () => {
    const clock = fakeClock()
    stack = await startStack({ now: clock.now })
    const api = createApiClient(stack.appUrl)
    expect((await connect(stack, api)).status).toBe(200)
    for (let second = 0; second < 600; second += 10) {
      clock.advance(10_000)
      for (const tab of [1, 2, 3]) {
        // Each page load asks for the session once; with hours left, Withings is not asked.
        const answer = await api.post('/api/auth/session')
        expect(answer.status, `tab ${tab} at ${second} s`).toBe(200)
      }
    }
    expect(api.jar.has(SESSION_COOKIE)).toBe(true)
    expect(stack.emulator.requests.count({ grantType: 'refresh_token' })).toBe(0)
  })

  test('a script hammering is limited, and the limit ends when Retry-After says', async () => {
    const clock = fakeClock()
    stack = await startStack({ now: clock.now })
    const api = createApiClient(stack.appUrl)
    const statuses: number[] = []
    let retryAfter = 0
    for (let i = 0; i < 100; i++) {
      const answer = await api.post('/api/auth/logout')
      statuses.push(answer.status)
      if (answer.status === 429) retryAfter = Number(answer.headers.get('retry-after'))
    }
    expect(statuses.filter((status) => status === 204)).toHaveLength(60)
    expect(statuses.filter((status) => status === 429)).toHaveLength(40)
    expect(retryAfter).toBe(1)
    clock.advance(retryAfter * 1000)
    expect((await api.post('/api/auth/logout')).status).toBe(204)
  })
})
