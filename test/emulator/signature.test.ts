import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { TIMESTAMP_TOLERANCE_SECONDS } from '../../relay/emulator/signature/getnonce-endpoint'
import { getnonce, nonce, post, revoke, sign, signedCall, signedTokenRequest } from './signing'
import { CLIENT, codeFor, dataCall, REDIRECT_URI, refresh, setup, signedIn } from './support'

const MINUTE = 60_000
const seconds = (ms: number) => Math.floor(ms / 1000)
const INVALID_SIGNATURE = { status: 342, body: {}, error: 'The signature (using Oauth) is invalid' }
const INVALID_NONCE = { status: 503, body: {}, error: 'Invalid Params: invalid nonce' }

describe('POST /v2/signature action=getnonce', () => {
  it('answers a nonce of 40 hex characters for a correctly signed request', async () => {
    const { emulator, clock } = setup()
    const answer = await getnonce(emulator, seconds(clock.now()))
    expect(answer.status).toBe(0)
    expect(answer.body).toEqual({ nonce: expect.stringMatching(/^[0-9a-f]{40}$/) })
    expect(emulator.requests.count({ route: 'signature', action: 'getnonce' })).toBe(1)
  })

  it('refuses a signature made with another secret, or none', async () => {
    const { emulator, clock } = setup()
    expect(await getnonce(emulator, seconds(clock.now()), 'not-the-secret')).toEqual(
      INVALID_SIGNATURE,
    )
    const unsigned = { action: 'getnonce', client_id: CLIENT.clientId, timestamp: '1' }
    expect(await post(emulator, '/v2/signature', unsigned)).toEqual(INVALID_SIGNATURE)
  })

  it('refuses a signature of the values in another order than their sorted names', async () => {
    const { emulator, clock } = setup()
    const timestamp = String(seconds(clock.now()))
    const form = { action: 'getnonce', client_id: CLIENT.clientId, timestamp }
    const unsorted = createHmac('sha256', CLIENT.clientSecret)
      .update(`${timestamp},getnonce,${CLIENT.clientId}`)
      .digest('hex')
    expect(await post(emulator, '/v2/signature', { ...form, signature: unsorted })).toEqual(
      INVALID_SIGNATURE,
    )
    expect((await post(emulator, '/v2/signature', { ...form, signature: sign(form) })).status).toBe(
      0,
    )
  })

  it(`accepts a timestamp up to ${TIMESTAMP_TOLERANCE_SECONDS} s from its clock, either way`, async () => {
    const { emulator, clock } = setup()
    const now = seconds(clock.now())
    for (const skew of [-TIMESTAMP_TOLERANCE_SECONDS, 0, TIMESTAMP_TOLERANCE_SECONDS]) {
      expect((await getnonce(emulator, now + skew)).status).toBe(0)
    }
    for (const skew of [-TIMESTAMP_TOLERANCE_SECONDS - 1, TIMESTAMP_TOLERANCE_SECONDS + 1]) {
      expect(await getnonce(emulator, now + skew)).toEqual({
        status: 503,
        body: {},
        error: 'Invalid Params: invalid timestamp',
      })
    }
  })

  it('refuses an unknown client and an unknown action', async () => {
    const { emulator, clock } = setup()
    const signed = {
      action: 'getnonce',
      client_id: 'nobody',
      timestamp: String(seconds(clock.now())),
    }
    expect(await post(emulator, '/v2/signature', { ...signed, signature: sign(signed) })).toEqual({
      status: 503,
      body: {},
      error: 'Invalid Params: invalid client id/secret',
    })
    expect((await post(emulator, '/v2/signature', { action: 'list' })).status).toBe(2554)
  })

  it("counts in the app's budget, like every API call", async () => {
    const { emulator, clock } = setup({ requestsPerMinute: 2 })
    await nonce(emulator, clock.now)
    await nonce(emulator, clock.now)
    const third = await getnonce(emulator, seconds(clock.now()))
    expect(third.status).toBe(601)
    expect(third.body).toEqual({ wait_seconds: 60 })
  })
})

describe('POST /v2/oauth2 action=revoke', () => {
  it("ends both of the person's tokens and their subscriptions for this client", async () => {
    const { emulator, clock } = setup()
    const tokens = await signedIn(emulator, { mode: 'demo' })
    const demo = emulator.users[0]?.userid ?? 0
    expect((await dataCall(emulator, 'measure', { action: 'getmeas' }, tokens.access)).status).toBe(
      0,
    )

    expect(await revoke(emulator, await nonce(emulator, clock.now), demo)).toEqual({
      status: 0,
      body: {},
    })
    expect(emulator.requests.count({ route: 'revoke' })).toBe(1)
    expect(await dataCall(emulator, 'measure', { action: 'getmeas' }, tokens.access)).toEqual({
      status: 401,
      body: {},
      error: 'XRequestID: Not provided invalid_token: The access token provided is invalid',
    })
    expect(await refresh(emulator, tokens.refresh)).toEqual({
      status: 503,
      body: {},
      error: 'Invalid Params: invalid refresh_token',
    })
  })

  it("leaves other people's tokens alone, and answers again for someone already revoked", async () => {
    const { emulator, clock } = setup()
    const demo = await signedIn(emulator, { mode: 'demo' })
    const ada = await signedIn(emulator)
    await revoke(emulator, await nonce(emulator, clock.now), emulator.users[0]?.userid ?? 0)
    expect((await dataCall(emulator, 'measure', { action: 'getmeas' }, ada.access)).status).toBe(0)
    expect((await dataCall(emulator, 'measure', { action: 'getmeas' }, demo.access)).status).toBe(
      401,
    )
    const again = await revoke(
      emulator,
      await nonce(emulator, clock.now),
      emulator.users[0]?.userid ?? 0,
    )
    expect(again).toEqual({ status: 0, body: {} })
  })

  it('refuses an unknown userid, a bad signature, and a reused or expired nonce', async () => {
    const { emulator, clock } = setup()
    const demo = emulator.users[0]?.userid ?? 0
    expect(await revoke(emulator, await nonce(emulator, clock.now), 99)).toEqual({
      status: 503,
      body: {},
      error: 'Invalid Params: invalid userid',
    })
    const badlySigned = signedCall(
      'revoke',
      await nonce(emulator, clock.now),
      { userid: String(demo) },
      'wrong',
    )
    expect(await post(emulator, '/v2/oauth2', badlySigned)).toEqual(INVALID_SIGNATURE)

    const once = await nonce(emulator, clock.now)
    expect((await revoke(emulator, once, demo)).status).toBe(0)
    expect(await revoke(emulator, once, demo)).toEqual(INVALID_NONCE)

    const late = await nonce(emulator, clock.now)
    clock.advance(30 * MINUTE)
    expect(await revoke(emulator, late, demo)).toEqual(INVALID_NONCE)
  })

  it("refuses another client's nonce", async () => {
    const other = {
      clientId: 'other-client',
      clientSecret: 'other-secret',
      callbacks: [REDIRECT_URI],
    }
    const { emulator, clock } = setup({ clients: [CLIENT, other] })
    const signed = {
      action: 'getnonce',
      client_id: other.clientId,
      timestamp: String(seconds(clock.now())),
    }
    const answer = await post(emulator, '/v2/signature', {
      ...signed,
      signature: sign(signed, other.clientSecret),
    })
    expect(answer.status).toBe(0)
    expect(
      await revoke(emulator, String(answer.body.nonce), emulator.users[0]?.userid ?? 0),
    ).toEqual(INVALID_NONCE)
  })
})

describe('POST /v2/oauth2 action=requesttoken, signed', () => {
  it('exchanges a code with nonce and signature instead of the client secret', async () => {
    const { emulator, clock } = setup()
    const code = await codeFor(emulator, { mode: 'demo' })
    const answer = await signedTokenRequest(emulator, await nonce(emulator, clock.now), {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
    })
    expect(answer.status).toBe(0)
    expect(answer.body).toMatchObject({ userid: 363, token_type: 'Bearer' })
  })

  it('refreshes signed, and refuses the nonce a second time', async () => {
    const { emulator, clock } = setup()
    const tokens = await signedIn(emulator, { mode: 'demo' })
    const once = await nonce(emulator, clock.now)
    const grant = { grant_type: 'refresh_token', refresh_token: tokens.refresh }
    const refreshed = await signedTokenRequest(emulator, once, grant)
    expect(refreshed.status).toBe(0)
    expect(refreshed.body.refresh_token).not.toBe(tokens.refresh)
    clock.advance(11_000) // past "same arguments in less than 10 seconds"
    expect(await signedTokenRequest(emulator, once, grant)).toEqual(INVALID_NONCE)
  })

  it('refuses a wrong signature', async () => {
    const { emulator, clock } = setup()
    const code = await codeFor(emulator, { mode: 'demo' })
    const form = signedCall(
      'requesttoken',
      await nonce(emulator, clock.now),
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI },
      'not-the-secret',
    )
    expect(await post(emulator, '/v2/oauth2', form)).toEqual(INVALID_SIGNATURE)
  })
})
