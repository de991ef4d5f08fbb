import { createHmac } from 'node:crypto'
import type { Emulator } from '../../relay/emulator/emulator'
import { BASE, CLIENT, type Envelope, envelopeOf, tokenRequest } from './support'

// Signed calls to the emulator, signed here with node:crypto rather than the relay's client, so
// the emulator's checks are tested against the rule itself: values sorted by name, commas,
// HMAC-SHA256 under the client secret, hex.

export function sign(params: Record<string, string>, secret = CLIENT.clientSecret): string {
  const text = Object.keys(params)
    .sort()
    .map((name) => params[name])
    .join(',')
  return createHmac('sha256', secret).update(text).digest('hex')
}

export async function post(
  emulator: Emulator,
  path: string,
  form: Record<string, string>,
): Promise<Envelope> {
  const request = new Request(`${BASE}${path}`, {
    method: 'POST',
    body: new URLSearchParams(form),
  })
  return envelopeOf(await emulator.fetch(request))
}

/** getnonce with this Unix `timestamp` (seconds). */
export function getnonce(
  emulator: Emulator,
  timestamp: number,
  secret = CLIENT.clientSecret,
): Promise<Envelope> {
  const signed = { action: 'getnonce', client_id: CLIENT.clientId, timestamp: String(timestamp) }
  return post(emulator, '/v2/signature', { ...signed, signature: sign(signed, secret) })
}

/** A fresh nonce, asked for at the emulator clock `now`. */
export async function nonce(emulator: Emulator, now: () => number): Promise<string> {
  const answer = await getnonce(emulator, Math.floor(now() / 1000))
  if (answer.status !== 0) throw new Error(`getnonce failed: ${JSON.stringify(answer)}`)
  return String(answer.body.nonce)
}

/** `action`, `client_id` and `nonce` signed, plus the unsigned `extra` fields. */
export function signedCall(
  action: string,
  nonceValue: string,
  extra: Record<string, string> = {},
  secret = CLIENT.clientSecret,
): Record<string, string> {
  const signed = { action, client_id: CLIENT.clientId, nonce: nonceValue }
  return { ...signed, signature: sign(signed, secret), ...extra }
}

export function revoke(emulator: Emulator, nonceValue: string, userid: number | string) {
  return post(emulator, '/v2/oauth2', signedCall('revoke', nonceValue, { userid: String(userid) }))
}

export function signedTokenRequest(
  emulator: Emulator,
  nonceValue: string,
  grant: Record<string, string>,
) {
  return tokenRequest(emulator, signedCall('requesttoken', nonceValue, grant))
}
