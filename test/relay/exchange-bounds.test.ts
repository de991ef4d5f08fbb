import { afterEach, describe, expect, test } from 'vitest'
import { createRelay } from '../../relay/core/create-relay'
import { randomState } from '../../web/react/auth/random-state'
import { inProcessRelay } from '../adversarial/support/in-process-relay'
import { createApiClient } from '../support/api-client'
import { SESSION_COOKIE } from '../support/cookies'
import { connect, startLogin } from '../support/login'
import { pagePost } from '../support/page-post'
import { testConfig } from '../support/relay-config'
import { fakeClock, type Stack, startStack } from '../support/stack'

// What a code exchange may cost and hold: tokens short enough for a cookie the browser keeps,
// and limits on sign-ins that stop made-up codes without ever stopping real people.

let stack: Stack
afterEach(() => stack?.close())

describe('token length and cookie size', () => {
  test('tokens of 1,500 characters: the exchange fails in its own words, no cookie, and the grant is revoked', async () => {
    const relay = await inProcessRelay({ tokenLength: 1_500 })
    const answer = await relay.signIn()
    expect(answer.status).toBe(502)
    expect((await answer.json()).error).toEqual({
      code: 'tokens_too_long',
      message:
        "Withings' tokens are longer than a browser keeps in a cookie: this connection cannot be kept, and Withings is asked to undo it.",
      retryable: false,
    })
    expect(answer.headers.getSetCookie().some((line) => line.startsWith(SESSION_COOKIE))).toBe(
      false,
    )
    expect(relay.emulator.requests.count({ route: 'revoke' })).toBe(1)
  })

  test('tokens at the bound (1,024 characters each) fit a __Host- cookie under 4,096 bytes with its attributes', async () => {
    const HTTPS_APP = 'https://app.example'
    const config = testConfig({ redirectUri: `${HTTPS_APP}/callback` })
    const long = { access_token: 'a'.repeat(1_024), refresh_token: 'r'.repeat(1_024) }
    const app = createRelay(config, {
      log: () => {},
      fetch: async () => ({
        status: 200,
        text: async () =>
          JSON.stringify({
            status: 0,
            body: {
              userid: 363,
              ...long,
              expires_in: 10_800,
              scope: 'user.info,user.metrics,user.activity,user.sleepevents',
            },
          }),
      }),
    })
    const state = randomState()
    const bound = await app.request(`${HTTPS_APP}/api/auth/login`, pagePost(HTTPS_APP, { state }))
    const login = bound.headers.getSetCookie()[0]?.split(';')[0] ?? ''
    const answer = await app.request(
      `${HTTPS_APP}/api/auth/token`,
      pagePost(HTTPS_APP, { code: 'c'.repeat(40), state }, { cookie: login }),
    )
    expect(answer.status).toBe(200)
    const session = answer.headers
      .getSetCookie()
      .find((line) => line.startsWith('__Host-wl-session='))
    expect(session).toBeDefined()
    expect(new TextEncoder().encode(session).byteLength).toBeLessThan(4_096)
  })

  test('one character past the bound is refused', async () => {
    const answer = await (await inProcessRelay({ tokenLength: 1_025 })).signIn()
    expect((await answer.json()).error.code).toBe('tokens_too_long')
  })
})

describe('sign-in limits count what Withings refused, never real sign-ins', () => {
  test('seven people behind one address sign in within ten minutes', async () => {
    stack = await startStack()
    const statuses: number[] = []
    for (let person = 0; person < 7; person++) {
      statuses.push(
        (await connect(stack, createApiClient(stack.appUrl), { scopes: ['user.info'] })).status,
      )
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200])
  })

  test("made-up codes: Withings refuses six, then the relay's own limit, said in its own words", async () => {
    stack = await startStack()
    const api = createApiClient(stack.appUrl)
    const codes: string[] = []
    for (let attempt = 0; attempt < 7; attempt++) {
      const { state } = await startLogin(stack, api)
      const madeUp = randomState().slice(0, 40).toLowerCase()
      const answer = await api.post('/api/auth/token', { code: madeUp, state })
      codes.push((await answer.json()).error.code)
    }
    expect(codes).toEqual([...Array(6).fill('code_expired'), 'sign_ins_limited'])
    expect(stack.emulator.requests.count({ grantType: 'authorization_code' })).toBe(6)
    // A real person at that address still cannot sign in for now: the limit cannot tell.
    const real = await api.post('/api/auth/token', (await startLogin(stack, api)).body)
    expect(real.status).toBe(429)
  })
})

describe('without the client address (a runtime that gives none)', () => {
  test('ten people sign in in ten minutes: none is refused for the others', async () => {
    const relay = await inProcessRelay({ realLimits: true, withoutAddress: true })
    const statuses: number[] = []
    for (let person = 0; person < 10; person++) statuses.push((await relay.signIn()).status)
    expect(statuses).toEqual(Array(10).fill(200))
  })

  test('the per-address request limit does not make everyone one client', async () => {
    const relay = await inProcessRelay({ realLimits: true, withoutAddress: true })
    const statuses = new Set<number>()
    for (let request = 0; request < 150; request++) {
      statuses.add((await relay.post('/api/auth/login', { state: randomState() })).status)
    }
    expect([...statuses]).toEqual([204])
  })

  test('with an address, the same 150 requests are limited', async () => {
    const relay = await inProcessRelay({ realLimits: true, now: fakeClock().now })
    const statuses: number[] = []
    for (let request = 0; request < 150; request++) {
      statuses.push((await relay.post('/api/auth/login', { state: randomState() })).status)
    }
    expect(statuses.filter((status) => status === 429)).toHaveLength(90)
  })
})
