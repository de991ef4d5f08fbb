import { afterEach, describe, expect, test } from 'vitest'
import { createApiClient } from '../support/api-client'
import {
  LOGIN_COOKIE,
  openLogins,
  openSession,
  SESSION_COOKIE,
  sealedField,
} from '../support/cookies'
import { startLogin } from '../support/login'
import { CLIENT_SECRET, fakeClock, RELAY_KEY, type Stack, startStack } from '../support/stack'

let stack: Stack
afterEach(() => stack?.close())

const codeRequests = () => stack.emulator.requests.count({ grantType: 'authorization_code' })

describe('code exchange: the real relay against the real emulator over HTTP', () => {
  test('happy path: a session view with no token, a sealed session cookie, nothing secret in the body', async () => {
    stack = await startStack()
    const api = createApiClient(stack.appUrl)
    const { state, code, callback } = await startLogin(stack, api, { demo: true })
    expect(callback.searchParams.get('state')).toBe(state)

    const response = await api.post('/api/auth/token', { code, state })
    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const text = await response.text()
    const view = JSON.parse(text)
    expect(Object.keys(view).sort()).toEqual([
      'expires_at',
      'refresh_at',
      'scope',
      'session_ends_at',
      'userid',
    ])
    expect(view).toMatchObject({ userid: '363', scope: 'user.metrics,user.activity' })
    expect(view.expires_at).toBeGreaterThan(Date.now() / 1000 + 10_000)
    expect(text).not.toContain(CLIENT_SECRET)
    expect(text).not.toContain(code)
    // Both tokens stay in the sealed cookie: the page is never handed one.
    const sealed = await openSession(api.jar.get(SESSION_COOKIE), RELAY_KEY)
    const accessToken = sealedField(sealed, 'accessToken') ?? ''
    const refreshToken = sealedField(sealed, 'refreshToken') ?? ''
    expect(accessToken).toMatch(/^[0-9a-f]{40}$/)
    expect(refreshToken).toMatch(/^[0-9a-f]{40}$/)
    expect(text).not.toContain(accessToken)
    expect(text).not.toContain(refreshToken)

    const session = response.headers.getSetCookie().find((line) => line.startsWith(SESSION_COOKIE))
    expect(session).toMatch(/HttpOnly/)
    // http://localhost: no Secure, which WebKit would drop (relay/cookies/cookie-policy.ts).
    expect(session).not.toMatch(/Secure/)
    expect(session).toMatch(/SameSite=Strict/)
    expect(session).toMatch(/Path=\//)
    expect(api.jar.has(LOGIN_COOKIE)).toBe(false)
    expect(codeRequests()).toBe(1)
  })

  test('a seeded user whose userid Withings sends as a string', async () => {
    stack = await startStack()
    const api = createApiClient(stack.appUrl)
    const { state, code } = await startLogin(stack, api, {
      demo: false,
      email: 'grace@example.com',
      password: 'grace-emulator',
    })
    const view = await (await api.post('/api/auth/token', { code, state })).json()
    expect(view.userid).toBe('2342108')
  })

  test('a code works once: the second use is code_expired', async () => {
    const clock = fakeClock()
    stack = await startStack({ now: clock.now })
    const api = createApiClient(stack.appUrl)
    const first = await startLogin(stack, api)
    expect((await api.post('/api/auth/token', first.body)).status).toBe(200)

    // A second pending login in the same browser lets the reused code reach Withings.
    const second = await startLogin(stack, api)
    clock.advance(11_000) // past Withings' "same arguments in less than 10 seconds" window
    const reuse = await api.post('/api/auth/token', { code: first.code, state: second.state })
    expect(reuse.status).toBe(400)
    expect((await reuse.json()).error).toMatchObject({ code: 'code_expired', retryable: false })
  })

  test('a code presented after 31 seconds is code_expired; at 29 seconds it works', async () => {
    const clock = fakeClock()
    stack = await startStack({ now: clock.now })
    const api = createApiClient(stack.appUrl)
    const late = await startLogin(stack, api)
    clock.advance(31_000)
    const answer = await api.post('/api/auth/token', late.body)
    expect((await answer.json()).error.code).toBe('code_expired')

    const timely = await startLogin(stack, api)
    clock.advance(29_000)
    expect((await api.post('/api/auth/token', timely.body)).status).toBe(200)
  })

  test('a redirect_uri other than the authorize one is redirect_uri_mismatch', async () => {
    stack = await startStack({ extraCallbacks: ['http://localhost:1/other-callback'] })
    const api = createApiClient(stack.appUrl)
    const login = await startLogin(stack, api, { redirectUri: 'http://localhost:1/other-callback' })
    const answer = await api.post('/api/auth/token', login.body)
    expect(answer.status).toBe(502)
    expect((await answer.json()).error.code).toBe('redirect_uri_mismatch')
  })

  test('a wrong client secret is invalid_client, and the secret is never echoed', async () => {
    stack = await startStack({ emulatorSecret: 'the-secret-withings-expects' })
    const api = createApiClient(stack.appUrl)
    const answer = await api.post('/api/auth/token', (await startLogin(stack, api)).body)
    const text = await answer.text()
    expect(answer.status).toBe(502)
    expect(JSON.parse(text).error.code).toBe('invalid_client')
    expect(text).not.toContain(CLIENT_SECRET)
    expect(JSON.stringify(stack.logs)).not.toContain(CLIENT_SECRET)
  })

  test('with no login cookie at all: login_cookie_missing (the browser did not keep it), nothing sent upstream', async () => {
    stack = await startStack()
    const browser = createApiClient(stack.appUrl)
    const login = await startLogin(stack, browser)
    const elsewhere = createApiClient(stack.appUrl)
    const answer = await elsewhere.post('/api/auth/token', login.body)
    expect(answer.status).toBe(400)
    expect((await answer.json()).error.code).toBe('login_cookie_missing')
    expect(codeRequests()).toBe(0)
  })

  test("another browser's login cookie, without this state: invalid_state, nothing sent upstream", async () => {
    stack = await startStack()
    const victim = createApiClient(stack.appUrl)
    const login = await startLogin(stack, victim)
    const attacker = createApiClient(stack.appUrl)
    await startLogin(stack, attacker)
    const answer = await attacker.post('/api/auth/token', login.body)
    expect(answer.status).toBe(400)
    expect((await answer.json()).error.code).toBe('invalid_state')
    expect(codeRequests()).toBe(0)
  })

  test('a state the login cookie does not hold is invalid_state, nothing sent upstream', async () => {
    stack = await startStack()
    const api = createApiClient(stack.appUrl)
    const login = await startLogin(stack, api)
    const answer = await api.post('/api/auth/token', { code: login.code, state: 'x'.repeat(43) })
    expect((await answer.json()).error.code).toBe('invalid_state')
    expect(codeRequests()).toBe(0)
  })

  test('two logins in flight in one browser do not overwrite each other', async () => {
    stack = await startStack()
    const api = createApiClient(stack.appUrl)
    const tabA = await startLogin(stack, api)
    const tabB = await startLogin(stack, api)
    expect((await api.post('/api/auth/token', tabB.body)).status).toBe(200)
    expect((await api.post('/api/auth/token', tabA.body)).status).toBe(200)
    expect((await api.post('/api/auth/token', tabA.body)).status).toBe(400)
  })

  test('the login cookie holds the logins in flight, newest last: each once, five at most, 10 minutes each', async () => {
    const clock = fakeClock()
    stack = await startStack({ now: clock.now })
    const api = createApiClient(stack.appUrl)
    const a = 'a'.repeat(43)
    const b = 'b'.repeat(43)
    const later = ['c', 'd', 'e', 'f'].map((letter) => letter.repeat(43))
    const bind = async (state: string) => {
      expect((await api.post('/api/auth/login', { state })).status).toBe(204)
      clock.advance(1_000)
    }
    const pending = () => openLogins(api.jar.get(LOGIN_COOKIE), RELAY_KEY)
    const start = Math.floor(clock.now() / 1000)
    await bind(a)
    expect(await pending()).toEqual([{ s: a, exp: start + 600 }])
    // The page binding the same state again (a retry) moves it to the end, with a fresh 10 minutes.
    await bind(b)
    await bind(b)
    expect(await pending()).toEqual([
      { s: a, exp: start + 600 },
      { s: b, exp: start + 602 },
    ])
    for (const state of later) await bind(state)
    expect(await pending()).toEqual([b, ...later].map((s, i) => ({ s, exp: start + 602 + i })))
  })

  test("Withings' status 601 becomes rate_limited with its wait", async () => {
    stack = await startStack()
    const api = createApiClient(stack.appUrl)
    const login = await startLogin(stack, api)
    stack.emulator.faults.inject(
      { type: 'status', status: 601, body: { wait_seconds: 42 } },
      { on: 'token', times: 1 },
    )
    const answer = await api.post('/api/auth/token', login.body)
    expect(answer.status).toBe(429)
    expect(answer.headers.get('retry-after')).toBe('42')
    expect((await answer.json()).error).toMatchObject({
      code: 'rate_limited',
      retryable: true,
      retry_after: 42,
    })
  })

  test('the exchange is never retried: one upstream call even when it fails', async () => {
    stack = await startStack()
    const api = createApiClient(stack.appUrl)
    const login = await startLogin(stack, api)
    stack.emulator.faults.inject({ type: 'http', status: 502 }, { on: 'token' })
    const answer = await api.post('/api/auth/token', login.body)
    expect((await answer.json()).error.code).toBe('upstream_unavailable')
    expect(codeRequests()).toBe(1)
  })

  test('no log line carries the code, the state or a token', async () => {
    stack = await startStack()
    const api = createApiClient(stack.appUrl)
    const login = await startLogin(stack, api)
    const view = await (await api.post('/api/auth/token', login.body)).json()
    const logged = JSON.stringify(stack.logs)
    expect(stack.logs.some((line) => line.msg === 'code exchange')).toBe(true)
    for (const secret of [login.code, login.state, view.access_token, CLIENT_SECRET]) {
      expect(logged).not.toContain(secret)
    }
  })
})
