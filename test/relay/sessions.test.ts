import { afterEach, describe, expect, test } from 'vitest'
import { type ApiClient, createApiClient } from '../support/api-client'
import { SESSION_COOKIE } from '../support/cookies'
import { connect } from '../support/login'
import { testKey } from '../support/relay-config'
import { fakeClock, RELAY_KEY, type Stack, startStack } from '../support/stack'

let stack: Stack
afterEach(() => stack?.close())

const refreshes = () => stack.emulator.requests.count({ grantType: 'refresh_token' })
const withingsCalls = () => stack.emulator.requests.count()
const sessionCookie = (api: ApiClient) => api.jar.get(SESSION_COOKIE)
const errorCode = async (response: Response) => (await response.json()).error?.code
/** No live session: an ordinary 204 for the page's question, not an error. */
const noSession = (response: Response) => response.status === 204
const clearsSession = (response: Response) =>
  response.headers.getSetCookie().some((line) => line.startsWith(`${SESSION_COOKIE}=;`))
const restore = (api: ApiClient, base?: string) =>
  api.post('/api/auth/session', undefined, base ? { base } : {})

/** A second browser that carries exactly this session cookie. */
function browserWith(cookie: string | undefined, base = stack.appUrl) {
  const other = createApiClient(base, { origin: stack.appUrl })
  if (cookie) other.jar.set(SESSION_COOKIE, cookie)
  return other
}

/** A connected browser, on a clock that `due()` moves to its access token's refresh moment. */
async function connected(options: Parameters<typeof startStack>[0] = {}) {
  const clock = fakeClock()
  stack = await startStack({ now: clock.now, ...options })
  const api = createApiClient(stack.appUrl)
  const answer = await connect(stack, api)
  expect(answer.status).toBe(200)
  const view = await answer.json()
  const due = (refreshAt: number = view.refresh_at) => clock.advance(refreshAt * 1000 - clock.now())
  return { api, view, clock, due }
}

describe('sessions: both tokens sealed in the cookie, refreshed only once due', () => {
  test('a reload with a live access token costs Withings nothing and leaves the cookie as it is', async () => {
    const { api, view } = await connected()
    const calls = withingsCalls()
    const cookie = sessionCookie(api)

    const answer = await restore(api)
    expect(answer.status).toBe(200)
    expect(answer.headers.getSetCookie()).toEqual([])
    expect(await answer.json()).toEqual(view)
    expect(Object.keys(view).sort()).toEqual([
      'expires_at',
      'refresh_at',
      'scope',
      'session_ends_at',
      'userid',
    ])
    expect(withingsCalls()).toBe(calls)
    expect(sessionCookie(api)).toBe(cookie)
  })

  test('at its refresh moment: one refresh, a later expiry, and the new refresh token kept', async () => {
    const { api, view, clock, due } = await connected()
    expect(view.refresh_at).toBe(view.expires_at - 300)
    due()
    clock.advance(-1_000)
    expect((await (await restore(api)).json()).expires_at).toBe(view.expires_at)
    expect(refreshes()).toBe(0)

    const before = sessionCookie(api)
    clock.advance(1_000)
    const renewed = await (await restore(api)).json()
    expect(refreshes()).toBe(1)
    expect(renewed.expires_at).toBeGreaterThan(view.expires_at)
    expect(renewed.session_ends_at).toBe(view.session_ends_at)
    expect(sessionCookie(api)).not.toBe(before)
    // Rotated: the next refresh, once due again, goes through with the new refresh token.
    due(renewed.refresh_at)
    expect((await restore(api)).status).toBe(200)
    expect(refreshes()).toBe(2)
  })

  test('the old refresh token works within the grace, until the new access token is used', async () => {
    const { api, clock, due } = await connected()
    const oldCookie = sessionCookie(api)
    due()
    expect((await restore(api)).status).toBe(200)

    clock.advance(11_000)
    const withinGrace = browserWith(oldCookie)
    expect((await restore(withinGrace)).status).toBe(200)
    // The newest access token's first use (a data call) ends the old refresh token's grace.
    const read = await withinGrace.post('/api/withings/v2/heart', { action: 'list' })
    expect(read.status).toBe(200)
    clock.advance(11_000)
    const afterUse = await restore(browserWith(oldCookie))
    expect(noSession(afterUse)).toBe(true)
    expect(clearsSession(afterUse)).toBe(true)
  })

  test('the old refresh token dies 8 hours after the new one was issued', async () => {
    const { api, clock, due } = await connected()
    const oldCookie = sessionCookie(api)
    due()
    expect((await restore(api)).status).toBe(200)
    clock.advance(8 * 3600_000 + 1_000)
    expect(noSession(await restore(browserWith(oldCookie)))).toBe(true)
    // The rotated cookie is still good.
    expect((await restore(api)).status).toBe(200)
  })

  test('no session cookie → 204, nothing sent upstream', async () => {
    stack = await startStack()
    const answer = await restore(createApiClient(stack.appUrl))
    expect(noSession(answer)).toBe(true)
    expect(withingsCalls()).toBe(0)
  })

  test('a tampered session cookie → no session, cleared, nothing sent upstream', async () => {
    const { api } = await connected()
    const calls = withingsCalls()
    const cookie = sessionCookie(api) ?? ''
    const tampered = `${cookie.slice(0, 20)}${cookie[20] === 'A' ? 'B' : 'A'}${cookie.slice(21)}`
    const answer = await restore(browserWith(tampered))
    expect(noSession(answer)).toBe(true)
    expect(clearsSession(answer)).toBe(true)
    expect(withingsCalls()).toBe(calls)
  })

  test('a cookie sealed with a foreign key → no session', async () => {
    const { api } = await connected()
    const foreign = await stack.addRelay({ relaySecrets: [testKey('another key entirely')] })
    const answer = await restore(browserWith(sessionCookie(api), foreign))
    expect(noSession(answer)).toBe(true)
  })

  test('two relay instances sharing RELAY_SECRET serve the same session', async () => {
    const { api, due } = await connected()
    const second = await stack.addRelay()
    expect((await restore(api, second)).status).toBe(200)
    due()
    expect((await restore(api, second)).status).toBe(200)
    expect(refreshes()).toBe(1)
    expect((await restore(api)).status).toBe(200)
  })

  test('key rotation: the old key still opens sessions, which come back sealed with the new key', async () => {
    const { api, due } = await connected()
    const NEW_KEY = testKey('the new relay key')
    const rotated = await stack.addRelay({ relaySecrets: [NEW_KEY, RELAY_KEY] })
    const newKeyOnly = await stack.addRelay({ relaySecrets: [NEW_KEY] })

    expect(noSession(await restore(browserWith(sessionCookie(api), newKeyOnly)))).toBe(true)
    due()
    expect((await restore(api, rotated)).status).toBe(200)
    // Re-sealed with the new key: a relay that only knows the new key now accepts it.
    expect((await restore(api, newKeyOnly)).status).toBe(200)
  })

  test('key rotation re-seals an idle session at its next request, long before its refresh', async () => {
    const { api } = await connected()
    const NEW_KEY = testKey('the new relay key')
    const rotated = await stack.addRelay({ relaySecrets: [NEW_KEY, RELAY_KEY] })
    const newKeyOnly = await stack.addRelay({ relaySecrets: [NEW_KEY] })
    const before = sessionCookie(api)

    const answer = await restore(api, rotated)
    expect(answer.status).toBe(200)
    expect(refreshes()).toBe(0)
    expect(sessionCookie(api)).not.toBe(before)
    // The old key can go now: the session opens with the new one alone.
    expect((await restore(api, newKeyOnly)).status).toBe(200)
    // A cookie already sealed with the current key is left as it is.
    expect((await restore(api, rotated)).headers.getSetCookie()).toEqual([])
  })

  test.each([
    // A tenth of the token's life before its end…
    [600, 60],
    [2_000, 200],
    // …at most 5 minutes (Withings' 3 hours), at least 1 second.
    [10_800, 300],
    [5, 1],
  ])('an access token of %i s is refreshed %i s before it expires', async (ttl, margin) => {
    const { view } = await connected({ emulator: { accessTokenTtlSeconds: ttl } })
    expect(view.expires_at - view.refresh_at).toBe(margin)
  })

  test('an upstream timeout during a due refresh is retryable and keeps the cookie', async () => {
    const { api, clock, due } = await connected({ relay: { upstreamTimeoutMs: 200 } })
    const cookie = sessionCookie(api)
    due()
    stack.emulator.faults.inject({ type: 'delay', ms: 600 }, { on: 'token', times: 1 })
    const slow = await restore(api)
    expect(slow.status).toBe(504)
    expect((await slow.json()).error).toMatchObject({ code: 'upstream_timeout', retryable: true })
    expect(slow.headers.getSetCookie()).toEqual([])
    expect(sessionCookie(api)).toBe(cookie)

    await new Promise((resolve) => setTimeout(resolve, 500)) // let the slow answer land upstream
    clock.advance(11_000)
    expect((await restore(api)).status).toBe(200)
  })

  test('concurrent requests of one due session collapse into one upstream refresh', async () => {
    const { api, due } = await connected()
    const cookie = sessionCookie(api)
    due()
    stack.emulator.faults.inject({ type: 'delay', ms: 100 }, { on: 'token', times: 1 })
    const answers = await Promise.all(Array.from({ length: 5 }, () => restore(browserWith(cookie))))
    const views = await Promise.all(answers.map((answer) => answer.json()))
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200])
    expect(new Set(views.map((view) => view.expires_at)).size).toBe(1)
    expect(refreshes()).toBe(1)
  })

  test('a late twin within 10 s gets the same new tokens instead of a 601', async () => {
    const { api, clock, due } = await connected()
    const cookie = sessionCookie(api)
    due()
    const first = browserWith(cookie)
    expect((await restore(first)).status).toBe(200)
    clock.advance(9_000)
    const twin = browserWith(cookie)
    expect((await restore(twin)).status).toBe(200)
    expect(twin.jar.get(SESSION_COOKIE)).toBeDefined()
    expect(refreshes()).toBe(1)

    clock.advance(2_000) // past the window: asks Withings again (the old token is in its grace)
    expect((await restore(browserWith(cookie))).status).toBe(200)
    expect(refreshes()).toBe(2)
  })

  test('the session cookie on http://localhost: sealed, HttpOnly, not Secure, SameSite=Strict, Path=/, the session lifetime', async () => {
    stack = await startStack({ relay: { sessionLifetimeSeconds: 7 * 86_400 } })
    const answer = await connect(stack, createApiClient(stack.appUrl))
    const line = answer.headers.getSetCookie().find((set) => set.startsWith(SESSION_COOKIE)) ?? ''
    expect(line).toMatch(/; HttpOnly/)
    expect(line).not.toMatch(/Secure/)
    expect(line).toMatch(/; SameSite=Strict/)
    expect(line).toMatch(/; Path=\//)
    const maxAge = Number(/Max-Age=(\d+)/.exec(line)?.[1])
    expect(maxAge).toBeGreaterThan(7 * 86_400 - 5)
    expect(maxAge).toBeLessThanOrEqual(7 * 86_400)
    expect(line).not.toMatch(/Domain=/)
  })

  test('a session ends at its absolute lifetime, counted from the login, whatever the refreshes', async () => {
    const { api, view, clock } = await connected({ relay: { sessionLifetimeSeconds: 86_400 } })
    expect(view.session_ends_at - view.expires_at).toBe(86_400 - 10_800)
    for (let hours = 3; hours < 24; hours += 3) {
      clock.advance(3 * 3600_000)
      const renewed = await restore(api)
      expect(renewed.status).toBe(200)
      expect((await renewed.json()).session_ends_at).toBe(view.session_ends_at)
    }
    clock.advance(view.session_ends_at * 1000 - clock.now())
    const ended = await restore(api)
    expect(noSession(ended)).toBe(true)
    expect(clearsSession(ended)).toBe(true)
  })

  test('Disconnect clears the cookies, and a copy of the cookie from before opens nothing after', async () => {
    const { api } = await connected()
    const copy = sessionCookie(api)
    const answer = await api.post('/api/auth/logout')
    expect(answer.status).toBe(200)
    expect(clearsSession(answer)).toBe(true)
    expect(sessionCookie(api)).toBeUndefined()
    expect(noSession(await restore(api))).toBe(true)

    const thief = browserWith(copy)
    expect(noSession(await restore(thief))).toBe(true)
    const read = await thief.post('/api/withings/v2/heart', { action: 'list' })
    expect(read.status).toBe(401)
    expect(await errorCode(read)).toBe('session_expired')
  })

  test('Disconnect with no session clears whatever cookies there are and answers 204', async () => {
    stack = await startStack()
    const answer = await createApiClient(stack.appUrl).post('/api/auth/logout')
    expect(answer.status).toBe(204)
    expect(withingsCalls()).toBe(0)
  })
})
