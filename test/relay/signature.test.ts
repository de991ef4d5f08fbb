import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { signature, withSignature } from '../../relay/core/withings/signature'
import {
  nonceRequestParams,
  revokeParams,
  signedTokenRequestParams,
} from '../../relay/core/withings/signed-client'

// The signature rule of the reference (signaturev2-getnonce) and of Withings' "Sign your
// requests" guide, worked out independently with node:crypto: values sorted by parameter name,
// joined with commas, HMAC-SHA256 under the client secret, hex.

const SECRET = 'd9286311451fc6ed71b372a075c58c5058be158f56a77865e43ab3783255424f'
const CLIENT_ID = '7573fd4a4c421ddd102dac406dc6e0e0e22f683c4a5e81ff0a5caf8b65abed67'
const NONCE = 'c455541b8f9111689adb647d32fac07a6ffe462d'
const hmac = (text: string, secret = SECRET) =>
  createHmac('sha256', secret).update(text).digest('hex')

describe('signature', () => {
  it('signs the values in the order of their sorted names, joined with commas', async () => {
    // Given out of order, and with values whose own order differs from their names'.
    const params = { timestamp: '1700000000', client_id: 'zeta', action: 'getnonce' }
    expect(await signature(params, SECRET)).toBe(hmac('getnonce,zeta,1700000000'))
  })

  it('is 64 lower-case hex characters and depends on the secret', async () => {
    const params = { action: 'revoke', client_id: CLIENT_ID, nonce: NONCE }
    const signed = await signature(params, SECRET)
    expect(signed).toMatch(/^[0-9a-f]{64}$/)
    expect(await signature(params, 'another-secret')).toBe(
      hmac(`revoke,${CLIENT_ID},${NONCE}`, 'another-secret'),
    )
    expect(await signature(params, 'another-secret')).not.toBe(signed)
  })

  it('adds the signature beside the signed parameters', async () => {
    const signed = { action: 'revoke', client_id: CLIENT_ID, nonce: NONCE }
    expect(await withSignature(signed, SECRET)).toEqual({
      ...signed,
      signature: hmac(`revoke,${CLIENT_ID},${NONCE}`),
    })
  })
})

describe('the signed calls', () => {
  const credentials = { clientId: CLIENT_ID, clientSecret: SECRET }

  it('getnonce signs action, client_id and timestamp', async () => {
    expect(await nonceRequestParams(credentials, 1_700_000_123)).toEqual({
      action: 'getnonce',
      client_id: CLIENT_ID,
      timestamp: '1700000123',
      signature: hmac(`getnonce,${CLIENT_ID},1700000123`),
    })
  })

  it('revoke signs action, client_id and nonce, and sends the userid unsigned', async () => {
    expect(await revokeParams(credentials, NONCE, '489418')).toEqual({
      action: 'revoke',
      client_id: CLIENT_ID,
      nonce: NONCE,
      signature: hmac(`revoke,${CLIENT_ID},${NONCE}`),
      userid: '489418',
    })
  })

  it('a signed code exchange carries nonce and signature, never the client secret', async () => {
    const grant = {
      type: 'authorization_code',
      code: 'mtwsikawoqleuroqcluggflrqilrnqbgqvqeuhhh',
      redirectUri: 'https://www.withings.com',
    } as const
    const params = await signedTokenRequestParams(credentials, NONCE, grant)
    expect(params).toEqual({
      action: 'requesttoken',
      client_id: CLIENT_ID,
      nonce: NONCE,
      signature: hmac(`requesttoken,${CLIENT_ID},${NONCE}`),
      grant_type: 'authorization_code',
      code: grant.code,
      redirect_uri: grant.redirectUri,
    })
    expect(JSON.stringify(params)).not.toContain(SECRET)
  })

  it('a signed refresh carries the refresh token unsigned', async () => {
    const params = await signedTokenRequestParams(credentials, NONCE, {
      type: 'refresh_token',
      refreshToken: 'f631236f02b991810feb774765b6ae8e6c6839ca',
    })
    expect(params).toEqual({
      action: 'requesttoken',
      client_id: CLIENT_ID,
      nonce: NONCE,
      signature: hmac(`requesttoken,${CLIENT_ID},${NONCE}`),
      grant_type: 'refresh_token',
      refresh_token: 'f631236f02b991810feb774765b6ae8e6c6839ca',
    })
  })
})
