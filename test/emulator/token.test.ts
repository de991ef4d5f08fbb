import { describe, expect, it } from 'vitest'
import {
  BASE,
  CLIENT,
  codeFor,
  dataCall,
  envelopeOf,
  exchangeCode,
  REDIRECT_URI,
  refresh,
  setup,
  signedIn,
  tokenRequest,
} from './support'

const HOUR = 60 * 60 * 1000

describe('POST /v2/oauth2 with grant_type=authorization_code', () => {
  it('answers the reference shape, HTTP 200 and JSON', async () => {
    const { emulator } = setup()
    const code = await codeFor(emulator, { mode: 'demo', scope: 'user.info,user.metrics' })
    const response = await emulator.fetch(
      new Request(`${BASE}/v2/oauth2`, {
        method: 'POST',
        body: new URLSearchParams({
          action: 'requesttoken',
          grant_type: 'authorization_code',
          client_id: CLIENT.clientId,
          client_secret: CLIENT.clientSecret,
          code,
          redirect_uri: REDIRECT_URI,
        }),
      }),
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    const json = (await response.json()) as Record<string, unknown>
    expect(Object.keys(json)).toEqual(['status', 'body'])
    expect(json).toEqual({
      status: 0,
      body: {
        userid: 363,
        access_token: expect.stringMatching(/^[0-9a-f]{40}$/),
        refresh_token: expect.stringMatching(/^[0-9a-f]{40}$/),
        expires_in: 10800,
        scope: 'user.info,user.metrics',
        csrf_token: expect.stringMatching(/^[A-Za-z0-9]{32}$/),
        token_type: 'Bearer',
      },
    })
  })

  it('sends userid as a number for the demo and first seeded user, a string for the second', async () => {
    const { emulator } = setup()
    const [demo, ada, grace] = emulator.users
    const demoTokens = await signedIn(emulator, { mode: 'demo' })
    const adaTokens = await signedIn(emulator, {}, { email: ada?.email, password: ada?.password })
    const graceTokens = await signedIn(
      emulator,
      {},
      { email: grace?.email, password: grace?.password },
    )
    expect(demoTokens.body.userid).toBe(demo?.userid)
    expect(adaTokens.body.userid).toBe(ada?.userid)
    expect(graceTokens.body.userid).toBe(String(grace?.userid))
  })

  it('honours accessTokenTtlSeconds in expires_in', async () => {
    const { emulator } = setup({ accessTokenTtlSeconds: 60 })
    expect((await signedIn(emulator, { mode: 'demo' })).body.expires_in).toBe(60)
  })

  it('accepts a code at 29 s and refuses it at 31 s', async () => {
    const { emulator, clock } = setup()
    const early = await codeFor(emulator, { mode: 'demo' })
    const late = await codeFor(emulator, { mode: 'demo', state: 'other' })
    clock.advance(29_000)
    expect((await exchangeCode(emulator, early)).status).toBe(0)
    clock.advance(2_000)
    expect(await exchangeCode(emulator, late)).toEqual({
      status: 503,
      body: {},
      error: 'Invalid Params: invalid code',
    })
  })

  it('lets a code work once only', async () => {
    const { emulator, clock } = setup()
    const code = await codeFor(emulator, { mode: 'demo' })
    expect((await exchangeCode(emulator, code)).status).toBe(0)
    clock.advance(11_000) // past the same-arguments window, still inside the code's 30 s
    expect(await exchangeCode(emulator, code)).toEqual({
      status: 503,
      body: {},
      error: 'Invalid Params: invalid code',
    })
  })

  it('refuses an unknown code', async () => {
    const { emulator } = setup()
    expect((await exchangeCode(emulator, 'abcdefghijabcdefghijabcdefghijabcdefghij')).error).toBe(
      'Invalid Params: invalid code',
    )
  })

  it('answers 293 for another redirect_uri, without burning the code', async () => {
    const { emulator } = setup()
    const code = await codeFor(emulator, { mode: 'demo' })
    expect(await exchangeCode(emulator, code, `${REDIRECT_URI}/other`)).toEqual({
      status: 293,
      body: {},
      error: 'Wrong redirect_uri',
    })
    expect((await exchangeCode(emulator, code)).status).toBe(0)
  })

  it('compares redirect_uri exactly, query included', async () => {
    const { emulator } = setup()
    const code = await codeFor(emulator, { mode: 'demo', redirect_uri: `${REDIRECT_URI}?a=1` })
    expect((await exchangeCode(emulator, code)).status).toBe(293)
    expect((await exchangeCode(emulator, code, `${REDIRECT_URI}?a=1`)).status).toBe(0)
  })

  it('refuses a wrong client_secret and an unknown client_id', async () => {
    const { emulator } = setup()
    const code = await codeFor(emulator, { mode: 'demo' })
    const base = {
      action: 'requesttoken',
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
    }
    expect(
      await tokenRequest(emulator, { ...base, client_id: CLIENT.clientId, client_secret: 'wrong' }),
    ).toEqual({ status: 503, body: {}, error: 'Invalid Params: invalid client id/secret' })
    expect(
      await tokenRequest(emulator, {
        ...base,
        client_id: 'unknown',
        client_secret: CLIENT.clientSecret,
      }),
    ).toEqual({ status: 503, body: {}, error: 'Invalid Params: invalid client id/secret' })
    expect((await exchangeCode(emulator, code)).status).toBe(0)
  })

  it('reads parameters from the body only: the same in the query string fails', async () => {
    const { emulator } = setup()
    const code = await codeFor(emulator, { mode: 'demo' })
    const query = new URLSearchParams({
      action: 'requesttoken',
      grant_type: 'authorization_code',
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      code,
      redirect_uri: REDIRECT_URI,
    })
    const response = await emulator.fetch(
      new Request(`${BASE}/v2/oauth2?${query}`, { method: 'POST' }),
    )
    expect(await envelopeOf(response)).toEqual({
      status: 503,
      body: {},
      error: 'Invalid Params: invalid grant_type',
    })
  })

  it('ignores a JSON body, as wbsapi does', async () => {
    const { emulator } = setup()
    const response = await emulator.fetch(
      new Request(`${BASE}/v2/oauth2`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action: 'requesttoken', grant_type: 'authorization_code' }),
      }),
    )
    expect((await envelopeOf(response)).error).toBe('Invalid Params: invalid grant_type')
  })

  it('answers 2554 for another action', async () => {
    const { emulator } = setup()
    expect(
      await tokenRequest(emulator, { action: 'getdemoaccess', grant_type: 'authorization_code' }),
    ).toEqual({ status: 2554, body: {}, error: 'Not implemented' })
    expect(
      await tokenRequest(emulator, { grant_type: 'authorization_code', client_id: 'x' }),
    ).toMatchObject({ status: 2554 })
  })

  it('accepts multipart form bodies too', async () => {
    const { emulator } = setup()
    const code = await codeFor(emulator, { mode: 'demo' })
    const form = new FormData()
    for (const [name, value] of Object.entries({
      action: 'requesttoken',
      grant_type: 'authorization_code',
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      code,
      redirect_uri: REDIRECT_URI,
    })) {
      form.append(name, value)
    }
    const response = await emulator.fetch(
      new Request(`${BASE}/v2/oauth2`, { method: 'POST', body: form }),
    )
    expect((await envelopeOf(response)).status).toBe(0)
  })
})

describe('POST /v2/oauth2 with grant_type=refresh_token', () => {
  it('rotates: every refresh returns a new refresh token and keeps the scope', async () => {
    const { emulator } = setup()
    const first = await signedIn(emulator, { mode: 'demo', scope: 'user.metrics,user.activity' })
    const second = await refresh(emulator, first.refresh)
    expect(second.status).toBe(0)
    expect(second.body.refresh_token).not.toBe(first.refresh)
    expect(second.body.access_token).not.toBe(first.access)
    expect(second.body.scope).toBe('user.metrics,user.activity')
    expect(second.body.userid).toBe(363)
    const third = await refresh(emulator, String(second.body.refresh_token))
    expect(third.status).toBe(0)
    expect(third.body.refresh_token).not.toBe(second.body.refresh_token)
  })

  it('keeps the old refresh token valid until 8 h after the new one was issued', async () => {
    const { emulator, clock } = setup()
    const first = await signedIn(emulator, { mode: 'demo' })
    expect((await refresh(emulator, first.refresh)).status).toBe(0)
    clock.advance(8 * HOUR - 11_000)
    // The old token still works inside the grace; the new access token was never used.
    expect((await refresh(emulator, first.refresh)).status).toBe(0)
    clock.advance(12_000) // 8 h + 1 s after the first refresh, past the same-arguments window
    expect(await refresh(emulator, first.refresh)).toEqual({
      status: 503,
      body: {},
      error: 'Invalid Params: invalid refresh_token',
    })
  })

  it('ends the old refresh token at the first use of the new access token', async () => {
    const { emulator, clock } = setup()
    const first = await signedIn(emulator, { mode: 'demo' })
    const second = await refresh(emulator, first.refresh)
    clock.advance(11_000)
    // The old access token may still be used: that does not end anything.
    expect((await dataCall(emulator, 'v2/user', { action: 'getgoals' }, first.access)).status).toBe(
      0,
    )
    expect((await refresh(emulator, first.refresh)).status).toBe(0)
    clock.advance(11_000)
    const used = await dataCall(
      emulator,
      'v2/user',
      { action: 'getdevice' },
      String(second.body.access_token),
    )
    expect(used.status).toBe(0)
    expect((await refresh(emulator, first.refresh)).error).toBe(
      'Invalid Params: invalid refresh_token',
    )
    // The new refresh token is unaffected.
    expect((await refresh(emulator, String(second.body.refresh_token))).status).toBe(0)
  })

  it('refuses an unknown refresh token and one belonging to another client', async () => {
    const { emulator } = setup({
      clients: [
        CLIENT,
        { clientId: 'other', clientSecret: 'other-secret', callbacks: [REDIRECT_URI] },
      ],
    })
    expect((await refresh(emulator, 'f'.repeat(40))).error).toBe(
      'Invalid Params: invalid refresh_token',
    )
    const tokens = await signedIn(emulator, { mode: 'demo' })
    const stolen = await tokenRequest(emulator, {
      action: 'requesttoken',
      grant_type: 'refresh_token',
      client_id: 'other',
      client_secret: 'other-secret',
      refresh_token: tokens.refresh,
    })
    expect(stolen.error).toBe('Invalid Params: invalid refresh_token')
  })
})

describe('601 rate limits on /v2/oauth2', () => {
  it('refuses the same arguments within 10 s, then accepts them', async () => {
    const { emulator, clock } = setup()
    const tokens = await signedIn(emulator, { mode: 'demo' })
    expect((await refresh(emulator, tokens.refresh)).status).toBe(0)
    clock.advance(3_000)
    expect(await refresh(emulator, tokens.refresh)).toEqual({
      status: 601,
      body: { wait_seconds: 7 },
      error: 'Same arguments in less than 10 seconds',
    })
    clock.advance(6_500)
    expect((await refresh(emulator, tokens.refresh)).body).toEqual({ wait_seconds: 1 })
    clock.advance(500)
    expect((await refresh(emulator, tokens.refresh)).status).toBe(0)
  })

  it('applies to failing requests too', async () => {
    const { emulator } = setup()
    expect((await refresh(emulator, 'nope')).status).toBe(503)
    expect((await refresh(emulator, 'nope')).status).toBe(601)
  })

  it('allows 120 requests per client per minute, then 601 until the window moves', async () => {
    const { emulator, clock } = setup()
    for (let i = 0; i < 120; i++) {
      const result = await refresh(emulator, `unknown-${i}`)
      expect(result.status).toBe(503)
      clock.advance(100)
    }
    const limited = await refresh(emulator, 'unknown-120')
    expect(limited).toEqual({
      status: 601,
      body: { wait_seconds: 48 },
      error: 'Too many requests',
    })
    // Another client is not affected.
    const other = await tokenRequest(emulator, {
      action: 'requesttoken',
      grant_type: 'refresh_token',
      client_id: 'someone-else',
      refresh_token: 'x',
    })
    expect(other.status).toBe(503)
    clock.advance(48_000)
    expect((await refresh(emulator, 'unknown-121')).status).toBe(503)
  })
})
