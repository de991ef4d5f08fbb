import { afterEach, describe, expect, test } from 'vitest'
import { type ApiClient, createApiClient } from '../support/api-client'
import { SESSION_COOKIE } from '../support/cookies'
import { connect } from '../support/login'
import { fakeClock, RELAY_KEY, type Stack, startStack } from '../support/stack'

let stack: Stack
afterEach(() => stack?.close())

const refreshes = () => stack.emulator.requests.count({ grantType: 'refresh_token' })
const sessionCookie = (api: ApiClient) => api.jar.get(SESSION_COOKIE)
const errorCode = async (response: Response) => (await response.json()).error?.code
const clearsSession = (response: Response) =>
  response.headers.getSetCookie().some((line) => line.startsWith(`${SESSION_COOKIE}=;`))

/** Uses an access token at Withings the way the data proxy would. */
const useAtWithings = (accessToken: string) =>
  fetch(`${stack.emulatorUrl}/measure`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}` },
    body: new URLSearchParams({ action: 'getmeas', meastype: '1' }),
  }).then((response) => response.json())

/** A second browser that carries exactly this session cookie. */
function browserWith(cookie: string | undefined, base = stack.appUrl) {
  const other = createApiClient(base, { origin: stack.appUrl })
  if (cookie) other.jar.set(SESSION_COOKIE, cookie)
  return other
}

describe('sessions: the sealed refresh token, rotated by every refresh', () => {
  test('refresh returns a fresh access token and always keeps the new refresh token', async () => {
    const clock = fakeClock()
    stack = await startStack({ now: clock.now })
    const api = createApiClient(stack.appUrl)
    const first = await (await connect(stack, api)).json()
    const before = sessionCookie(api)

    const answer = await api.post('/api/auth/refresh')
    expect(answer.status).toBe(200)
    const view = await answer.json()
    expect(view.access_token).not.toBe(first.access_token)
    expect(view).toMatchObject({ userid: '363', scope: first.scope, token_type: 'Bearer' })
    expect(JSON.stringify(view)).not.toMatch(/refresh/)
    expect(sessionCookie(api)).toBeDefined()
    expect(sessionCookie(api)).not.toBe(before)

    clock.advance(11_000)
    expect((await api.post('/api/auth/refresh')).status).toBe(200)
    expect(refreshes()).toBe(2)
  })

  test('the old refresh token works within the grace, until the new access token is used', async () => {
    const clock = fakeClock()
    stack = await startStack({ now: clock.now })
    const api = createApiClient(stack.appUrl)
    await connect(stack, api)
    const oldCookie = sessionCookie(api)
    const rotated = await (await api.post('/api/auth/refresh')).json()

    clock.advance(11_000)
    const withinGrace = await browserWith(oldCookie).post('/api/auth/refresh')
    expect(withinGrace.status).toBe(200)

    // A fresh copy of the old cookie, after the newest access token's first use.
    const newest = await withinGrace.json()
    expect((await useAtWithings(newest.access_token)).status).toBe(0)
    clock.advance(11_000)
    const afterUse = await browserWith(oldCookie).post('/api/auth/refresh')
    expect(afterUse.status).toBe(401)
    expect(await errorCode(afterUse)).toBe('session_expired')
    expect(clearsSession(afterUse)).toBe(true)
    expect(rotated.access_token).not.toBe(newest.access_token)
  })

  test('the old refresh token dies 8 hours after the new one was issued', async () => {
    const clock = fakeClock()
    stack = await startStack({ now: clock.now })
    const api = createApiClient(stack.appUrl)
    await connect(stack, api)
    const oldCookie = sessionCookie(api)
    expect((await api.post('/api/auth/refresh')).status).toBe(200)
    clock.advance(8 * 3600_000 + 1_000)
    const late = await browserWith(oldCookie).post('/api/auth/refresh')
    expect(await errorCode(late)).toBe('session_expired')
    // The rotated cookie is still good.
    expect((await api.post('/api/auth/refresh')).status).toBe(200)
  })

  test('no session cookie → 401 session_expired, nothing sent upstream', async () => {
    stack = await startStack()
    const answer = await createApiClient(stack.appUrl).post('/api/auth/refresh')
    expect(answer.status).toBe(401)
    expect(await errorCode(answer)).toBe('session_expired')
    expect(refreshes()).toBe(0)
  })

  test('a tampered session cookie → session_expired, cleared, nothing sent upstream', async () => {
    stack = await startStack()
    const api = createApiClient(stack.appUrl)
    await connect(stack, api)
    const cookie = sessionCookie(api) ?? ''
    const tampered = `${cookie.slice(0, 20)}${cookie[20] === 'A' ? 'B' : 'A'}${cookie.slice(21)}`
    const answer = await browserWith(tampered).post('/api/auth/refresh')
    expect(await errorCode(answer)).toBe('session_expired')
    expect(clearsSession(answer)).toBe(true)
    expect(refreshes()).toBe(0)
  })

  test('a cookie sealed with a foreign key → session_expired', async () => {
    stack = await startStack()
    const api = createApiClient(stack.appUrl)
    await connect(stack, api)
    const foreign = await stack.addRelay({
      relaySecrets: ['another-key-entirely-0123456789abcdef'],
    })
    const answer = await browserWith(sessionCookie(api), foreign).post('/api/auth/refresh')
    expect(await errorCode(answer)).toBe('session_expired')
    expect(refreshes()).toBe(0)
  })

  test('two relay instances sharing RELAY_SECRET serve the same session', async () => {
    const clock = fakeClock()
    stack = await startStack({ now: clock.now })
    const api = createApiClient(stack.appUrl)
    await connect(stack, api)
    const second = await stack.addRelay()
    const onSecond = await api.post('/api/auth/refresh', undefined, { base: second })
    expect(onSecond.status).toBe(200)
    clock.advance(11_000)
    expect((await api.post('/api/auth/refresh')).status).toBe(200)
  })

  test('key rotation: the old key still opens sessions, which come back sealed with the new key', async () => {
    const clock = fakeClock()
    stack = await startStack({ now: clock.now })
    const api = createApiClient(stack.appUrl)
    await connect(stack, api)
    const NEW_KEY = 'the-new-relay-key-0123456789abcdefgh'
    const rotated = await stack.addRelay({ relaySecrets: [NEW_KEY, RELAY_KEY] })
    const newKeyOnly = await stack.addRelay({ relaySecrets: [NEW_KEY] })

    expect(
      (await browserWith(sessionCookie(api), newKeyOnly).post('/api/auth/refresh')).status,
    ).toBe(401)
    expect((await api.post('/api/auth/refresh', undefined, { base: rotated })).status).toBe(200)
    clock.advance(11_000)
    // Re-sealed with the new key: a relay that only knows the new key now accepts it.
    expect((await api.post('/api/auth/refresh', undefined, { base: newKeyOnly })).status).toBe(200)
  })

  test('an upstream timeout during refresh is retryable and keeps the cookie', async () => {
    const clock = fakeClock()
    stack = await startStack({ now: clock.now, relay: { upstreamTimeoutMs: 200 } })
    const api = createApiClient(stack.appUrl)
    await connect(stack, api)
    const cookie = sessionCookie(api)
    stack.emulator.faults.inject({ type: 'delay', ms: 600 }, { on: 'token', times: 1 })
    const slow = await api.post('/api/auth/refresh')
    expect(slow.status).toBe(504)
    expect((await slow.json()).error).toMatchObject({ code: 'upstream_timeout', retryable: true })
    expect(slow.headers.getSetCookie()).toEqual([])
    expect(sessionCookie(api)).toBe(cookie)

    await new Promise((resolve) => setTimeout(resolve, 500)) // let the slow answer land upstream
    clock.advance(11_000)
    expect((await api.post('/api/auth/refresh')).status).toBe(200)
  })

  test('concurrent refreshes of one session collapse into one upstream call', async () => {
    stack = await startStack()
    const api = createApiClient(stack.appUrl)
    await connect(stack, api)
    const cookie = sessionCookie(api)
    stack.emulator.faults.inject({ type: 'delay', ms: 100 }, { on: 'token', times: 1 })
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => browserWith(cookie).post('/api/auth/refresh')),
    )
    const views = await Promise.all(answers.map((answer) => answer.json()))
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200])
    expect(new Set(views.map((view) => view.access_token)).size).toBe(1)
    expect(refreshes()).toBe(1)
  })

  test('a late twin within 10 s gets the same new tokens instead of a 601', async () => {
    const clock = fakeClock()
    stack = await startStack({ now: clock.now })
    const api = createApiClient(stack.appUrl)
    await connect(stack, api)
    const cookie = sessionCookie(api)
    const first = await (await browserWith(cookie).post('/api/auth/refresh')).json()
    clock.advance(9_000)
    const twin = await browserWith(cookie).post('/api/auth/refresh')
    expect(twin.status).toBe(200)
    expect((await twin.json()).access_token).toBe(first.access_token)
    expect(refreshes()).toBe(1)

    clock.advance(2_000) // past the window: asks Withings again (the old token is in its grace)
    const later = await browserWith(cookie).post('/api/auth/refresh')
    expect(later.status).toBe(200)
    expect(refreshes()).toBe(2)
  })

  test('the session cookie on http://localhost: sealed, HttpOnly, not Secure, SameSite=Strict, Path=/, at most a year', async () => {
    stack = await startStack()
    const answer = await connect(stack, createApiClient(stack.appUrl))
    const line = answer.headers.getSetCookie().find((set) => set.startsWith(SESSION_COOKIE)) ?? ''
    expect(line).toMatch(/; HttpOnly/)
    expect(line).not.toMatch(/Secure/)
    expect(line).toMatch(/; SameSite=Strict/)
    expect(line).toMatch(/; Path=\//)
    const maxAge = Number(/Max-Age=(\d+)/.exec(line)?.[1])
    expect(maxAge).toBeGreaterThan(0)
    expect(maxAge).toBeLessThanOrEqual(365 * 24 * 3600)
    expect(line).not.toMatch(/Domain=/)
  })

  test('logout clears the cookies; the session is gone', async () => {
    stack = await startStack()
    const api = createApiClient(stack.appUrl)
    await connect(stack, api)
    const answer = await api.post('/api/auth/logout')
    expect(answer.status).toBe(204)
    expect(clearsSession(answer)).toBe(true)
    expect(sessionCookie(api)).toBeUndefined()
    expect(await errorCode(await api.post('/api/auth/refresh'))).toBe('session_expired')
  })
})
