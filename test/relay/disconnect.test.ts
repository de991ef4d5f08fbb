import { afterEach, describe, expect, test } from 'vitest'
import type { Fault } from '../../relay/emulator/emulator'
import { type ApiClient, createApiClient } from '../support/api-client'
import { openSession, SESSION_COOKIE, sealedField } from '../support/cookies'
import { deadUrl } from '../support/dead-url'
import { connect } from '../support/login'
import { RELAY_KEY, type Stack, startStack } from '../support/stack'

// Disconnect revokes the app's access at Withings (signed: Getnonce, then revoke), then clears
// the cookies; nothing taken from the browser before it works afterwards.

let stack: Stack
afterEach(() => stack?.close())

const revokes = () => stack.emulator.requests.count({ route: 'revoke' })

/** The access token sealed in the browser's session cookie (tests hold the key). */
const accessTokenOf = async (api: ApiClient) =>
  sealedField(await openSession(api.jar.get(SESSION_COOKIE), RELAY_KEY), 'accessToken') ?? ''

/** A data call straight at Withings with that token, as a thief holding it would make. */
const readAtWithings = async (accessToken: string) =>
  (
    await fetch(`${stack.emulatorUrl}/measure`, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}` },
      body: new URLSearchParams({ action: 'getmeas' }),
    })
  ).json()

describe('Disconnect', () => {
  test('revokes at Withings: both tokens die there, and the copied cookie opens nothing here', async () => {
    stack = await startStack()
    const api = createApiClient(stack.appUrl)
    expect((await connect(stack, api)).status).toBe(200)
    const copy = api.jar.get(SESSION_COOKIE)
    const token = await accessTokenOf(api)
    expect((await readAtWithings(token)).status).toBe(0)

    const answer = await api.post('/api/auth/logout')
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual({ withings_informed: true })
    expect(revokes()).toBe(1)
    expect(stack.emulator.requests.count({ route: 'signature' })).toBe(1)
    expect(api.jar.has(SESSION_COOKIE)).toBe(false)

    expect((await readAtWithings(token)).status).toBe(401)
    const thief = createApiClient(stack.appUrl)
    thief.jar.set(SESSION_COOKIE, copy ?? '')
    expect((await thief.post('/api/auth/session')).status).toBe(204)
    expect((await thief.post('/api/withings/v2/heart', { action: 'list' })).status).toBe(401)
  })

  test('with Withings unreachable: the cookies go all the same, and a ticket lets the page retry', async () => {
    stack = await startStack()
    const api = createApiClient(stack.appUrl)
    expect((await connect(stack, api)).status).toBe(200)
    const copy = api.jar.get(SESSION_COOKIE)
    const token = await accessTokenOf(api)
    const cutOff = await stack.addRelay({ apiUrl: await deadUrl() })

    const answer = await api.post('/api/auth/logout', undefined, { base: cutOff })
    expect(answer.status).toBe(200)
    const result = await answer.json()
    expect(result).toEqual({ withings_informed: false, revoke_ticket: expect.any(String) })
    expect(api.jar.has(SESSION_COOKIE)).toBe(false)
    // Not told, Withings still honours the token; the relays (sharing one store) do not.
    expect((await readAtWithings(token)).status).toBe(0)
    const thief = createApiClient(stack.appUrl)
    thief.jar.set(SESSION_COOKIE, copy ?? '')
    expect((await thief.post('/api/auth/session')).status).toBe(204)

    const retried = await api.post('/api/auth/revoke', { ticket: result.revoke_ticket })
    expect(retried.status).toBe(200)
    expect(await retried.json()).toEqual({ withings_informed: true })
    expect((await readAtWithings(token)).status).toBe(401)
  })

  // Getnonce and revoke are signed calls: a refusal Withings may lift later comes with a ticket
  // (and Withings' wait), one about the app's signature does not; the operator sees its code.
  test.each([
    [
      'asks to slow down (601)',
      { type: 'status', status: 601, body: { wait_seconds: 30 } },
      'rate_limited',
      { withings_informed: false, revoke_ticket: expect.any(String), retry_after: 30 },
    ],
    [
      'times out (522)',
      { type: 'status', status: 522 },
      'upstream_timeout',
      { withings_informed: false, revoke_ticket: expect.any(String) },
    ],
    [
      "refuses the relay's signature (342)",
      { type: 'status', status: 342, error: 'The signature (using Oauth) is invalid' },
      'invalid_client',
      { withings_informed: false },
    ],
  ] satisfies [string, Fault, string, object][])(
    'when Withings %s: the cookies go, and the answer says whether to retry',
    async (_, fault, code, result) => {
      stack = await startStack()
      const api = createApiClient(stack.appUrl)
      expect((await connect(stack, api)).status).toBe(200)
      stack.emulator.faults.inject(fault, { on: 'token', times: 1 })

      const answer = await api.post('/api/auth/logout')
      expect(answer.status).toBe(200)
      expect(await answer.json()).toEqual(result)
      expect(api.jar.has(SESSION_COOKIE)).toBe(false)
      expect(revokes()).toBe(0)
      expect(stack.logs).toContainEqual(
        expect.objectContaining({ level: 'warn', msg: 'revoke not delivered', code }),
      )
    },
  )

  test('a revoke ticket that is forged or of another kind is refused, with nothing sent upstream', async () => {
    stack = await startStack()
    const api = createApiClient(stack.appUrl)
    expect((await connect(stack, api)).status).toBe(200)
    const sealedSession = api.jar.get(SESSION_COOKIE)
    for (const ticket of ['v1.forged', sealedSession, 42, 'x'.repeat(600)]) {
      const answer = await api.post('/api/auth/revoke', { ticket })
      expect(answer.status).toBe(400)
      expect((await answer.json()).error.code).toBe('bad_request')
    }
    expect(revokes()).toBe(0)
  })

  test('with signed token requests, the code exchange and the refresh carry no client secret', async () => {
    stack = await startStack({ relay: { signedTokenRequests: true } })
    const api = createApiClient(stack.appUrl)
    const connected = await connect(stack, api)
    expect(connected.status).toBe(200)
    expect((await connected.json()).userid).toBe('363')
    // Getnonce before the signed exchange; the emulator refuses a secret-less unsigned request.
    expect(stack.emulator.requests.count({ route: 'signature' })).toBe(1)
    expect(stack.emulator.requests.count({ grantType: 'authorization_code' })).toBe(1)
  })
})
