import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { RelayError } from '../../relay/core/errors'
import {
  createSignedClient,
  type SignedClientOptions,
} from '../../relay/core/withings/signed-client'
import { processTokenResponse } from '../../relay/core/withings/token-client'
import { postForm, type UpstreamFetch } from '../../relay/core/withings/upstream'
import type { Emulator } from '../../relay/emulator/emulator'
import { createHttpUpstream } from '../../relay/node/http-upstream'
import { type Listening, listen } from '../../relay/node/listen'
import { type CallbackServer, startCallbackServer } from '../emulator/notify-support'
import {
  CLIENT,
  type Clock,
  codeFor,
  dataCall,
  REDIRECT_URI,
  refresh,
  setup,
  signedIn,
} from '../emulator/support'

// The relay's client for Withings' signed calls, against the real emulator over real HTTP.

const upstream = createHttpUpstream()
let callbacks: CallbackServer
beforeAll(async () => {
  callbacks = await startCallbackServer()
})
afterAll(async () => {
  upstream.close()
  await callbacks.close()
})

let server: Listening | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function served(overrides: Parameters<typeof setup>[0] = {}) {
  const context = setup(overrides)
  server = await listen(context.emulator.fetch, { hostname: '127.0.0.1' })
  return { ...context, url: server.url }
}

function clientFor(url: string, clock: Clock, overrides: Partial<SignedClientOptions> = {}) {
  return createSignedClient({
    fetch: upstream.fetch,
    timeoutMs: 1_000,
    apiUrl: url,
    clientId: CLIENT.clientId,
    clientSecret: CLIENT.clientSecret,
    now: clock.now,
    ...overrides,
  })
}

async function failureOf(promise: Promise<unknown>): Promise<RelayError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  if (!(error instanceof RelayError)) throw new Error(`Expected a RelayError, got ${String(error)}`)
  return error
}

async function subscribeDemo(emulator: Emulator, accessToken: string) {
  const answer = await dataCall(
    emulator,
    'notify',
    { action: 'subscribe', callbackurl: `${callbacks.url}/notify`, appli: '1' },
    accessToken,
  )
  expect(answer.status).toBe(0)
}

describe('getNonce', () => {
  it('gets a nonce with a signed, timestamped request', async () => {
    const { emulator, clock, url } = await served()
    expect(await clientFor(url, clock).getNonce()).toMatch(/^[0-9a-f]{40}$/)
    expect(emulator.requests.count({ route: 'signature', action: 'getnonce' })).toBe(1)
  })

  it("names the secret and the clock when Withings refuses the relay's signature", async () => {
    const { clock, url } = await served()
    const wrongSecret = await failureOf(clientFor(url, clock, { clientSecret: 'wrong' }).getNonce())
    expect(wrongSecret.code).toBe('invalid_client')
    expect(wrongSecret.message).toContain('WITHINGS_CLIENT_SECRET')
    expect(wrongSecret.message).toContain('status 342')

    const late = await failureOf(
      clientFor(url, clock, { now: () => clock.now() + 10 * 60_000 }).getNonce(),
    )
    expect(late.code).toBe('invalid_client')
    expect(late.message).toContain("the server's clock")
    expect(late.message).toContain('status 503')
    expect(late.message).not.toContain(CLIENT.clientSecret)
  })

  it('maps an unreachable or slow Withings like the token client does', async () => {
    const { emulator, clock, url } = await served()
    const unreachable = await failureOf(clientFor('http://127.0.0.1:9', clock).getNonce())
    expect(unreachable.code).toBe('upstream_unavailable')
    emulator.faults.inject({ type: 'delay', ms: 1_500 }, { on: 'token', times: 1 })
    expect((await failureOf(clientFor(url, clock).getNonce())).code).toBe('upstream_timeout')
  })

  it("passes on Withings' wait when the app is over its budget", async () => {
    const { clock, url } = await served({ requestsPerMinute: 1 })
    await clientFor(url, clock).getNonce()
    const limited = await failureOf(clientFor(url, clock).getNonce())
    expect(limited.code).toBe('rate_limited')
    expect(limited.retryAfter).toBe(60)
  })
})

describe('the nonce in an answer', () => {
  /** Withings answering status 0 with this body, which the emulator never sends. */
  const answering =
    (body: unknown): UpstreamFetch =>
    async () => ({ status: 200, text: async () => JSON.stringify({ status: 0, body }) })
  const nonceFrom = (body: unknown) =>
    createSignedClient({
      fetch: answering(body),
      timeoutMs: 1_000,
      apiUrl: 'http://withings.invalid',
      clientId: CLIENT.clientId,
      clientSecret: CLIENT.clientSecret,
    }).getNonce()

  it.each(['a075f8c14fb8df40', 'Nonce_with-dashes', 'n'.repeat(200)])('takes %s', async (nonce) => {
    expect(await nonceFrom({ nonce })).toBe(nonce)
  })

  // It goes back to Withings inside a signed form: only word characters and dashes, bounded.
  it.each([
    ['no nonce', {}],
    ['a number', { nonce: 42 }],
    ['an empty one', { nonce: '' }],
    ['one of 201 characters', { nonce: 'n'.repeat(201) }],
    ['one ending in a stray character', { nonce: 'abc&userid=1' }],
    ['one starting with a stray character', { nonce: '&abc' }],
  ])('refuses %s', async (_, body) => {
    const error = await failureOf(nonceFrom(body))
    expect(error.code).toBe('upstream_error')
    expect(error.message).toBe("Missing or invalid 'nonce' field in Withings' answer.")
  })
})

describe('revoke', () => {
  it("ends the person's tokens and notifications at Withings", async () => {
    const { emulator, clock, url } = await served()
    const tokens = await signedIn(emulator, { mode: 'demo' })
    await subscribeDemo(emulator, tokens.access)

    await clientFor(url, clock).revoke('363')

    expect(emulator.requests.count({ route: 'revoke' })).toBe(1)
    expect((await dataCall(emulator, 'measure', { action: 'getmeas' }, tokens.access)).status).toBe(
      401,
    )
    expect((await refresh(emulator, tokens.refresh)).status).toBe(503)
    expect(emulator.notifications.subscriptions).toEqual([])
  })

  it('reports a userid Withings does not know', async () => {
    const { clock, url } = await served()
    const error = await failureOf(clientFor(url, clock).revoke('1'))
    expect(error.code).toBe('upstream_error')
    // In the relay's words, with Withings' status; Withings' own text stays out of answers.
    expect(error.message).toBe("Withings refused the call's parameters (Withings status 503).")
  })
})

describe('tokenRequestParams', () => {
  it('makes a token request Withings accepts without the client secret, for a code and a refresh', async () => {
    const { emulator, clock, url } = await served()
    const client = clientFor(url, clock)
    const send = (params: Record<string, string>) =>
      postForm({ fetch: upstream.fetch, timeoutMs: 1_000 }, `${url}/v2/oauth2`, params)

    const code = await codeFor(emulator, { mode: 'demo' })
    const grant = { type: 'authorization_code', code, redirectUri: REDIRECT_URI } as const
    const params = await client.tokenRequestParams(grant)
    expect(params).not.toHaveProperty('client_secret')
    const tokens = processTokenResponse(await send(params), 'authorization_code')
    expect(tokens.userid).toBe('363')

    const refreshGrant = { type: 'refresh_token', refreshToken: tokens.refreshToken } as const
    const refreshed = processTokenResponse(
      await send(await client.tokenRequestParams(refreshGrant)),
      'refresh_token',
    )
    expect(refreshed.refreshToken).not.toBe(tokens.refreshToken)
    expect(emulator.requests.count({ route: 'signature' })).toBe(2)
  })
})
