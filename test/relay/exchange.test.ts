import { afterEach, describe, expect, test } from 'vitest'
import type { Fault } from '../../relay/emulator/emulator'
import { createApiClient } from '../support/api-client'
import {
  LOGIN_COOKIE,
  openLogins,
  openSession,
  SESSION_COOKIE,
  sealedField,
} from '../support/cookies'
import { startLogin } from '../support/login'
import {
  CLIENT_SECRET,
  fakeClock,
  RELAY_KEY,
  type Stack,
  type StackOptions,
  startStack,
} from '../support/stack'

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
    // http://localhost: no Secure, which WebKit would drop (relay/core/cookies/cookie-policy.ts).
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

  // Withings' refusals of the exchange, by family (relay/core/withings/status.ts), each produced by the
  // emulator: the relay's code, its HTTP status and retryable, and its sentence with Withings'
  // status; Withings' own text stays out of the answer.
  const BAD_CREDENTIALS =
    "Withings refused the app's credentials: check WITHINGS_CLIENT_ID and WITHINGS_CLIENT_SECRET, and that WITHINGS_REDIRECT_URI is exactly a callback registered for the app"
  const BAD_SIGNATURE =
    "Withings refused the relay's signature: check WITHINGS_CLIENT_ID, WITHINGS_CLIENT_SECRET and the server's clock"
  const SLOW_DOWN = 'Withings asks to slow down'
  const CODE_SLOW_DOWN = `${SLOW_DOWN}; the code cannot wait that long, so connect again after the wait`
  const APP_REFUSED = "Withings refused the app's access to this service"
  const PARAMS_REFUSED = "Withings refused the call's parameters"
  const REDIRECT_REFUSED =
    'Withings refused the redirect_uri: it must equal the one in the authorize URL and be registered as a callback'
  const CODE_GONE = 'The authorization code is no longer valid: codes live 30 seconds and work once'

  type Refusal = [
    status: number,
    text: string | undefined,
    http: number,
    code: string,
    retryable: boolean,
    sentence: string,
    retryAfter?: number,
  ]
  const EXCHANGE_REFUSALS: Refusal[] = [
    [522, 'Timeout', 504, 'upstream_timeout', true, 'Withings timed out'],
    [524, 'Bad state', 502, 'upstream_unavailable', true, 'Withings reported a bad state'],
    [214, 'Unauthorized', 502, 'upstream_error', false, APP_REFUSED],
    [403, 'Insufficient_scope', 502, 'upstream_error', false, APP_REFUSED],
    [2554, 'Not implemented', 502, 'upstream_error', false, 'Withings refused the request'],
    [9999, 'An unknown error', 502, 'upstream_error', false, 'Withings refused the request'],
    [293, undefined, 502, 'redirect_uri_mismatch', false, REDIRECT_REFUSED],
    [
      503,
      'Invalid Params: invalid redirect_uri',
      502,
      'redirect_uri_mismatch',
      false,
      REDIRECT_REFUSED,
    ],
    [
      503,
      'Invalid Params: invalid client id/secret',
      502,
      'invalid_client',
      false,
      BAD_CREDENTIALS,
    ],
    [100, 'Authentication failed', 502, 'invalid_client', false, BAD_CREDENTIALS],
    [503, 'Invalid Params: invalid code', 400, 'code_expired', false, CODE_GONE],
    [216, undefined, 400, 'code_expired', false, CODE_GONE],
  ]

  /** One login whose exchange meets `fault` at Withings' token route (or Getnonce, when signed). */
  async function refusedExchange(fault: Fault, relay: StackOptions['relay'] = {}) {
    stack = await startStack({ relay })
    const api = createApiClient(stack.appUrl)
    const login = await startLogin(stack, api)
    stack.emulator.faults.inject(fault, { on: 'token', times: 1 })
    return api.post('/api/auth/token', login.body)
  }

  async function expectRefusal(response: Response, refusal: Refusal) {
    const [status, , http, code, retryable, sentence, retryAfter] = refusal
    expect(response.status).toBe(http)
    expect(response.headers.get('retry-after')).toBe(
      retryAfter === undefined ? null : `${retryAfter}`,
    )
    const text = await response.text()
    expect(JSON.parse(text).error).toEqual({
      code,
      retryable,
      message: `${sentence} (Withings status ${status}).`,
      ...(retryAfter !== undefined && { retry_after: retryAfter }),
    })
    expect(text).not.toContain('CANARY')
  }

  test.each(EXCHANGE_REFUSALS)('status %i (%s) becomes %i %s', async (...refusal) => {
    const [status, text] = refusal
    const error = text === undefined ? undefined : `${text} CANARY`
    const response = await refusedExchange({ type: 'status', status, ...(error && { error }) })
    await expectRefusal(response, refusal)
    expect(codeRequests()).toBe(1)
  })

  test("status 601 becomes 429 rate_limited with Withings' wait: the code cannot wait, connect again", async () => {
    // A fractional wait rounds up: retrying early would only earn another 601.
    const answer = await refusedExchange({
      type: 'status',
      status: 601,
      body: { wait_seconds: 41.2 },
    })
    await expectRefusal(answer, [601, undefined, 429, 'rate_limited', true, CODE_SLOW_DOWN, 42])
  })

  test('a refusal of the app is logged for the operator with its code and sentence, and no secret', async () => {
    const answer = await refusedExchange({
      type: 'status',
      status: 503,
      error: 'Invalid Params: invalid client_secret CANARY',
    })
    expect(answer.status).toBe(502)
    const logged = stack.logs.find((line) => line.level === 'error')
    expect(logged).toMatchObject({
      code: 'invalid_client',
      msg: `${BAD_CREDENTIALS} (Withings status 503).`,
    })
    expect(JSON.stringify(stack.logs)).not.toContain('CANARY')
    expect(JSON.stringify(stack.logs)).not.toContain(CLIENT_SECRET)
  })

  // Signed token requests ask Getnonce first (signed with the secret over a timestamp): its
  // refusals are about the relay's signature and clock, and the exchange never reaches Withings.
  const SIGNED_REFUSALS: Refusal[] = [
    [342, 'The signature (using Oauth) is invalid', 502, 'invalid_client', false, BAD_SIGNATURE],
    [503, 'Invalid Params: invalid timestamp', 502, 'invalid_client', false, BAD_SIGNATURE],
    [503, 'Invalid Params: invalid nonce', 502, 'invalid_client', false, BAD_SIGNATURE],
    [503, 'Invalid Params: invalid client_id', 502, 'invalid_client', false, BAD_SIGNATURE],
    [401, 'Authentication failed', 502, 'invalid_client', false, BAD_SIGNATURE],
    [503, 'Invalid Params', 502, 'upstream_error', false, PARAMS_REFUSED],
    [2555, 'Unauthorized', 502, 'upstream_error', false, APP_REFUSED],
    [522, 'Timeout', 504, 'upstream_timeout', true, 'Withings timed out'],
    // The emulator's default wait for 601, passed on.
    [601, 'Too many requests', 429, 'rate_limited', true, SLOW_DOWN, 10],
  ]
  test.each(SIGNED_REFUSALS)(
    'signed: Getnonce status %i (%s) becomes %i %s',
    async (...refusal) => {
      const [status, text] = refusal
      const response = await refusedExchange(
        { type: 'status', status, error: `${text} CANARY` },
        { signedTokenRequests: true },
      )
      await expectRefusal(response, refusal)
      expect(stack.emulator.requests.count({ route: 'signature' })).toBe(1)
      expect(codeRequests()).toBe(0)
    },
  )

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
