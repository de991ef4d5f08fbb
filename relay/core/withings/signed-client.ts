import { RelayError } from '../errors'
import type { Envelope } from './envelope'
import { withSignature } from './signature'
import { withingsError } from './status'
import { type Grant, grantFields } from './token-client'
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

interface SignedClient {
  /** A fresh nonce: valid 30 minutes, for one signed call. */
  getNonce(): Promise<string>
  /** Ends the app's access to this person at Withings: both tokens and every notification. */
  revoke(userid: string): Promise<void>
  /** The form of a signed token request for `grant`, with a fresh nonce and no client secret. */
  tokenRequestParams(grant: Grant): Promise<Record<string, string>>
}

export function createSignedClient(options: SignedClientOptions): SignedClient {
  const now = options.now ?? Date.now
  const call = async (path: string, params: Record<string, string>) => {
    const envelope = await postForm(options, `${options.apiUrl}${path}`, params)
    if (envelope.status !== 0) throw withingsError(envelope, 'signed')
    return envelope
  }
  const client: SignedClient = {
    async getNonce() {
      const params = await nonceRequestParams(options, Math.floor(now() / 1000))
      return nonceOf(await call('/v2/signature', params))
    },
    async revoke(userid) {
      const params = await revokeParams(options, await client.getNonce(), userid)
      await call('/v2/oauth2', params)
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
  return { ...(await withSignature(signed, clientSecret)), ...grantFields(grant) }
}

function nonceOf(envelope: Envelope): string {
  const { nonce } = envelope.body
  if (typeof nonce !== 'string' || !/^[\w-]{1,200}$/.test(nonce)) {
    throw new RelayError('upstream_error', "Missing or invalid 'nonce' field in Withings' answer.")
  }
  return nonce
}
