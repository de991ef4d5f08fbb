import { RelayError } from '../errors'
import { type Envelope, withoutEchoes } from './envelope'
import { withSignature } from './signature'
import { statusFamily } from './status'
import { type Grant, tokenError } from './token-client'
import { postForm, type UpstreamOptions } from './upstream'

// Withings' signed calls: a nonce from `POST {api}/v2/signature action=getnonce` (signed over
// action, client_id and timestamp; reference: signaturev2-getnonce), spent by one call signed
// over action, client_id and nonce — revoke (reference: oauth2-revoke) or a token request
// "Using signature" instead of the client secret (reference: oauth2-getaccesstoken).

export interface SignedClientOptions extends UpstreamOptions {
  apiUrl: string
  clientId: string
  clientSecret: string
  /** ms since the epoch, for getnonce's `timestamp` (default Date.now). */
  now?: () => number
}

type Credentials = Pick<SignedClientOptions, 'clientId' | 'clientSecret'>

export interface SignedClient {
  /** A fresh nonce: valid 30 minutes, for one signed call. */
  getNonce(): Promise<string>
  /** Ends the app's access to this person at Withings: both tokens and every notification. */
  revoke(userid: string): Promise<void>
  /** The form of a signed token request for `grant`, with a fresh nonce and no client secret. */
  tokenRequestParams(grant: Grant): Promise<Record<string, string>>
}

export function createSignedClient(options: SignedClientOptions): SignedClient {
  const now = options.now ?? Date.now
  const call = async (path: string, params: Record<string, string>, what: SignedCall) => {
    const envelope = await postForm(options, `${options.apiUrl}${path}`, params)
    const safe = withoutEchoes(envelope, [options.clientSecret, params.signature ?? ''])
    if (safe.status !== 0) throw signedCallError(safe, what)
    return safe
  }
  const client: SignedClient = {
    async getNonce() {
      const params = await nonceRequestParams(options, Math.floor(now() / 1000))
      return nonceOf(await call('/v2/signature', params, 'getnonce'))
    },
    async revoke(userid) {
      const params = await revokeParams(options, await client.getNonce(), userid)
      await call('/v2/oauth2', params, 'revoke')
    },
    async tokenRequestParams(grant) {
      return signedTokenRequestParams(options, await client.getNonce(), grant)
    },
  }
  return client
}

export function nonceRequestParams(
  { clientId, clientSecret }: Credentials,
  timestampSeconds: number,
): Promise<Record<string, string>> {
  const signed = { action: 'getnonce', client_id: clientId, timestamp: String(timestampSeconds) }
  return withSignature(signed, clientSecret)
}

export async function revokeParams(
  { clientId, clientSecret }: Credentials,
  nonce: string,
  userid: string,
): Promise<Record<string, string>> {
  const signed = { action: 'revoke', client_id: clientId, nonce }
  return { ...(await withSignature(signed, clientSecret)), userid }
}

/** requesttoken with `nonce` and `signature` in place of `client_secret`; the grant is unsigned. */
export async function signedTokenRequestParams(
  { clientId, clientSecret }: Credentials,
  nonce: string,
  grant: Grant,
): Promise<Record<string, string>> {
  const signed = { action: 'requesttoken', client_id: clientId, nonce }
  const fields: Record<string, string> =
    grant.type === 'authorization_code'
      ? { grant_type: 'authorization_code', code: grant.code, redirect_uri: grant.redirectUri }
      : { grant_type: 'refresh_token', refresh_token: grant.refreshToken }
  return { ...(await withSignature(signed, clientSecret)), ...fields }
}

function nonceOf(envelope: Envelope): string {
  const { nonce } = envelope.body
  if (typeof nonce !== 'string' || !/^[\w-]{1,200}$/.test(nonce)) {
    throw new RelayError('upstream_error', "Missing or invalid 'nonce' field in Withings' answer.")
  }
  return nonce
}

type SignedCall = 'getnonce' | 'revoke'

/**
 * Maps a non-zero status of a signed call to the relay's stable codes: the passing troubles
 * (601, 522, 524) exactly as the token client maps them; a refused signature, nonce or timestamp
 * as a configuration problem.
 */
export function signedCallError(envelope: Envelope, call: SignedCall): RelayError {
  const { status, error = '' } = envelope
  const family = statusFamily(status)
  if (family === 'too_many_requests' || family === 'timeout' || family === 'bad_state') {
    return tokenError(envelope, 'refresh_token')
  }
  const said = error ? ` Withings said: "${error}" (status ${status}).` : ` (status ${status})`
  const refused = family === 'authentication_failed' || family === 'invalid_params'
  if (refused && /client|signature|nonce|timestamp/i.test(error)) {
    return new RelayError(
      'invalid_client',
      `Withings refused the relay's signature; check WITHINGS_CLIENT_ID, WITHINGS_CLIENT_SECRET and the server's clock.${said}`,
    )
  }
  const what = call === 'getnonce' ? 'a nonce' : 'the revocation'
  return new RelayError('upstream_error', `Withings refused ${what}.${said}`)
}
