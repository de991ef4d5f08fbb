import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { createRelay } from '../../relay/core/create-relay'
import { createCallbackUrls } from '../../relay/core/notify/callback-url'
import { createEmulator } from '../../relay/emulator/emulator'
import { type Listening, listen } from '../../relay/node/listen'
import { randomState } from '../../web/react/auth/random-state'
import { type ApiClient, createApiClient } from '../support/api-client'
import { type Entry, killEntries, runStart } from '../support/entry-process'
import { startLogin, startLoginAt } from '../support/login'
import { testConfig } from '../support/relay-config'
import { fakeClock, type Stack, startStack } from '../support/stack'

// The relay's logs on a real run of `npm start` against real Withings settings (pointed at an
// emulator this test controls): one line per request, the code exchange against its 30 s budget,
// and not one secret, code, state or token in anything the process prints — on the error paths too.

const CLIENT_ID = 'logs-test-client'
const CLIENT_SECRET = 'canary-client-secret-9b1e2f'
const RELAY_SECRET = 'canaryRelaySecret9Fq2xLm7Tz4Kp0Wd8Yb3Nc6Hv1'
const REDIRECT_URI = 'https://app.example.com/callback'
const TIMEOUT_MS = 1_000

// Access tokens of two seconds: the relay refreshes one second before expiry, so a second's wait
// makes the session due for a refresh.
const ACCESS_TOKEN_SECONDS = 2
const emulator = createEmulator({
  clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, callbacks: [REDIRECT_URI] }],
  accessTokenTtlSeconds: ACCESS_TOKEN_SECONDS,
})
const untilDue = () => new Promise((resolve) => setTimeout(resolve, 1_100))
/** Every token Withings hands out, and every code and state the flow used: none may be logged. */
const canaries: string[] = [CLIENT_SECRET, RELAY_SECRET]
let withings: Listening
let relay: Entry
let url: string

beforeAll(async () => {
  withings = await listen(async (request) => {
    const response = await emulator.fetch(request)
    if (new URL(request.url).pathname === '/v2/oauth2') {
      const envelope = await response
        .clone()
        .json()
        .catch(() => undefined)
      if (envelope?.body?.access_token) {
        canaries.push(envelope.body.access_token, envelope.body.refresh_token)
      }
    }
    return response
  })
  relay = runStart({
    env: {
      WITHINGS_CLIENT_ID: CLIENT_ID,
      WITHINGS_CLIENT_SECRET: CLIENT_SECRET,
      WITHINGS_REDIRECT_URI: REDIRECT_URI,
      WITHINGS_AUTHORIZE_URL: `${withings.url}/oauth2_user/authorize2`,
      WITHINGS_API_URL: withings.url,
      WITHINGS_TIMEOUT_MS: String(TIMEOUT_MS),
      RELAY_SECRET,
    },
  })
  url = await relay.url()
})
afterAll(async () => {
  killEntries()
  await withings?.close()
})

/** A request the test made, and what the log must say about it. */
interface Sent {
  response: Response
  method: string
  route: string
}
const sent: Sent[] = []

async function send(method: string, route: string, call: () => Promise<Response>) {
  const response = await call()
  sent.push({ response, method, route })
  return response
}

/** Binds a state and goes through consent: the code and state the SPA would post. */
async function freshCode(api: ApiClient) {
  const login = await startLoginAt(api, {
    authorize_url: `${withings.url}/oauth2_user/authorize2`,
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
  })
  sent.push({ response: login.bound, method: 'POST', route: '/api/auth/login' })
  canaries.push(login.code, login.state)
  return login.body
}

const exchange = (api: ApiClient, body: { code: string; state: string }) =>
  send('POST', '/api/auth/token', () => api.post('/api/auth/token', body))

describe('logs of a real run', () => {
  beforeAll(async () => {
    // The site's own origin: the redirect URI's, which the relay allows wherever it is reached.
    const api = createApiClient(url, { origin: new URL(REDIRECT_URI).origin })
    await send('GET', '/api/healthz', () => fetch(`${url}/api/healthz?code=canary-in-a-query`))
    canaries.push('canary-in-a-query')

    const first = await freshCode(api)
    expect((await exchange(api, first)).status).toBe(200)
    await untilDue()
    const refreshed = await send('POST', '/api/auth/session', () => api.post('/api/auth/session'))
    expect(refreshed.status).toBe(200)
    // The page's refresh, or the sync's import that needed one first (its tokens are shared
    // through the vault); on a slow machine the import may need a second.
    expect(emulator.requests.count({ grantType: 'refresh_token' })).toBeGreaterThanOrEqual(1)
    canaries.push(...api.jar.values())

    // Error paths: a used state, an unknown code, a foreign origin, an unknown route, Withings down,
    // Withings too slow.
    expect((await exchange(api, first)).status).toBe(400)
    // (A code Withings does not know; the used one again would earn 601 "same arguments".)
    const unknownCode = `${first.code.slice(0, -4)}zzzz`
    canaries.push(unknownCode)
    const late = await freshCode(api)
    expect((await exchange(api, { code: unknownCode, state: late.state })).status).toBe(400)
    const foreign = createApiClient(url, { origin: 'https://evil.example' })
    const refused = await send('POST', '/api/auth/login', () =>
      foreign.post('/api/auth/login', { state: randomState() }),
    )
    expect(refused.status).toBe(403)
    expect((await send('GET', '/api/*', () => fetch(`${url}/api/nowhere`))).status).toBe(404)
    // The page Withings sends the person back to, code and state in its query (served, or not,
    // as a static file: never a log line), and Withings' notification callback with its token,
    // a form the relay cannot read (acknowledged, and its drop logged without the token).
    await fetch(`${url}/callback?code=canary-callback-code&state=canary-callback-state`)
    canaries.push('canary-callback-code', 'canary-callback-state')
    const hook = await createCallbackUrls(url, [RELAY_SECRET]).urlFor('363')
    canaries.push(hook.slice(hook.lastIndexOf('/') + 1))
    const notified = await send('POST', '/api/hooks/withings/:token', () =>
      fetch(hook, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ userid: '363', appli: '50' }),
      }),
    )
    expect(notified.status).toBe(200)
    emulator.faults.inject({ type: 'http', status: 502 }, { on: 'token', times: 1 })
    await untilDue()
    const down = await send('POST', '/api/auth/session', () => api.post('/api/auth/session'))
    expect(down.status).toBe(502)
    emulator.faults.inject({ type: 'delay', ms: TIMEOUT_MS + 500 }, { on: 'token', times: 1 })
    expect((await exchange(api, await freshCode(api))).status).toBe(504)

    await relay.waitFor(new RegExp(`(?:[\\s\\S]*?"msg":"request"){${sent.length}}`))
  }, 30_000)

  test('one line per request: method, route pattern, status, duration, and its request id', () => {
    const lines = relay.logLines().filter((line) => line.msg === 'request')
    expect(lines).toHaveLength(sent.length)
    for (const { response, method, route } of sent) {
      const id = response.headers.get('x-request-id')
      expect(lines.filter((line) => line.id === id)).toEqual([
        {
          at: expect.any(String),
          level: response.status >= 500 ? 'error' : 'info',
          msg: 'request',
          id,
          method,
          route,
          status: response.status,
          ms: expect.any(Number),
        },
      ])
    }
  })

  test('each code exchange that reached Withings: its time against the 30 s budget', () => {
    const exchanges = relay.logLines().filter((line) => line.msg === 'code exchange')
    expect(exchanges.map(({ budgetMs }) => budgetMs)).toEqual([30_000, 30_000, 30_000])
    const timedOut = exchanges.at(-1)
    expect(timedOut?.ms).toBeGreaterThanOrEqual(TIMEOUT_MS)
    expect(timedOut?.ms).toBeLessThan(TIMEOUT_MS + 500)
    const requestIds = new Set(relay.logLines().map((line) => line.id))
    for (const line of exchanges) expect(requestIds.has(line.id)).toBe(true)
  })

  test('failures upstream are logged as errors with their kind, never their data', () => {
    const errors = relay
      .logLines()
      .filter((line) => line.level === 'error' && line.msg !== 'request')
    expect(errors.map(({ code }) => code)).toEqual(['upstream_unavailable', 'upstream_timeout'])
  })

  test('no secret, code, state, token or cookie in anything the process printed', () => {
    const { stdout, stderr } = relay.output()
    expect(canaries.length).toBeGreaterThan(12)
    for (const canary of canaries) {
      expect(canary.length).toBeGreaterThan(8)
      expect(stdout).not.toContain(canary)
      expect(stderr).not.toContain(canary)
    }
  })
})

// The same lines as the relay hands them to its logger in this process (the run above is another
// process): what each says, and that the request id ties an error to its request.
describe('request lines in process', () => {
  let stack: Stack
  // A clock that stands still: every duration the relay measures on it is exactly 0.
  const clock = fakeClock()
  beforeAll(async () => {
    stack = await startStack({ now: clock.now })
  })
  afterAll(() => stack?.close())

  const linesOf = (response: Response) =>
    stack.logs.filter((line) => line.id === response.headers.get('x-request-id'))

  test('below 500 an info line; from 500 an error line, after the error with the same id', async () => {
    const api = createApiClient(stack.appUrl)
    const healthz = await fetch(`${stack.appUrl}/api/healthz`)
    stack.emulator.faults.inject({ type: 'http', status: 502 }, { on: 'token', times: 1 })
    const { body } = await startLogin(stack, api)
    const down = await api.post('/api/auth/token', body)
    expect(healthz.status).toBe(200)
    expect(down.status).toBe(502)

    expect(linesOf(healthz)).toEqual([
      {
        level: 'info',
        msg: 'request',
        id: healthz.headers.get('x-request-id'),
        method: 'GET',
        route: '/api/healthz',
        status: 200,
        ms: 0,
      },
    ])
    const [exchange, failure, request] = linesOf(down)
    expect(exchange).toMatchObject({ level: 'info', msg: 'code exchange' })
    expect(failure).toMatchObject({ level: 'error', code: 'upstream_unavailable' })
    expect(request).toEqual({
      level: 'error',
      msg: 'request',
      id: down.headers.get('x-request-id'),
      method: 'POST',
      route: '/api/auth/token',
      status: 502,
      ms: 0,
    })
  })

  test("a failure of the relay's own is 500 internal_error: an error line, its cause's name only", async () => {
    // A clock that fails once, on its second reading from now on: the request log reads it
    // first, so the failure happens inside the request, as a bug in a route would.
    let readings = Number.NEGATIVE_INFINITY
    const failing = await startStack({
      now: () => {
        if (++readings === 2) throw new RangeError('the clock broke at 1700000000')
        return Date.now()
      },
    })
    try {
      readings = 0
      const api = createApiClient(failing.appUrl)
      const answer = await api.post('/api/auth/login', { state: randomState() })
      expect(answer.status).toBe(500)
      expect((await answer.json()).error).toEqual({
        code: 'internal_error',
        message: 'The relay failed unexpectedly.',
        retryable: false,
      })
      const lines = failing.logs.filter((line) => line.id === answer.headers.get('x-request-id'))
      expect(lines).toEqual([
        expect.objectContaining({ level: 'error', code: 'internal_error', cause: 'RangeError' }),
        expect.objectContaining({ level: 'error', msg: 'request', status: 500 }),
      ])
      expect(JSON.stringify(failing.logs)).not.toContain('1700000000')
    } finally {
      await failing.close()
    }
  })

  test('without a logger of its own, the relay writes each line to stdout as JSON, with its time', async () => {
    const stdout = vi.spyOn(console, 'log').mockImplementation(() => {})
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.UTC(2025, 0, 2, 3, 4, 5, 678))
    try {
      // Given the client's address, as every host's wiring does: no start-up warning.
      const relay = createRelay(testConfig(), { connectionAddress: () => '192.0.2.1' })
      const answer = await relay.request('http://localhost:3000/api/healthz')
      const written = stdout.mock.calls.map(([text]) => JSON.parse(String(text)))
      expect(written).toEqual([
        {
          at: expect.any(String),
          level: 'info',
          msg: 'request',
          id: answer.headers.get('x-request-id'),
          method: 'GET',
          route: '/api/healthz',
          status: 200,
          ms: 0,
        },
      ])
      expect(written[0].at).toBe('2025-01-02T03:04:05.678Z')
    } finally {
      vi.useRealTimers()
      stdout.mockRestore()
    }
  })
})
