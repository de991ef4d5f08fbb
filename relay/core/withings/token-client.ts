import { RelayError, TokensTooLong } from '../errors'
import type { Envelope } from './envelope'
import { withingsError } from './status'
import { postForm, type UpstreamOptions } from './upstream'

// Withings' token endpoint (`POST {api}/v2/oauth2 action=requesttoken`, reference
// operationId oauth2-getaccesstoken), split as a request step and a processing step.

export interface WithingsTokens {
  userid: string
  accessToken: string
  refreshToken: string
  expiresIn: number
  scope: string
}

export type Grant =
  | { type: 'authorization_code'; code: string; redirectUri: string }
  | { type: 'refresh_token'; refreshToken: string }

interface TokenClientOptions extends UpstreamOptions {
  apiUrl: string
  clientId: string
  clientSecret: string
}

export interface TokenClient {
  request(grant: Grant): Promise<WithingsTokens>
}

/**
 * `signedForm` makes the request "Using signature" (a nonce and a signature instead of the
 * client secret, so the secret never travels): the signed client's tokenRequestParams.
 */
export function createTokenClient(
  options: TokenClientOptions & { signedForm?: (grant: Grant) => Promise<Record<string, string>> },
): TokenClient {
  const endpoint = `${options.apiUrl}/v2/oauth2`
  const formOf = options.signedForm ?? (async (grant: Grant) => tokenRequestParams(options, grant))
  return {
    async request(grant) {
      const envelope = await postForm(options, endpoint, await formOf(grant))
      return processTokenResponse(envelope, grant.type)
    },
  }
}

/** The form of a token request with the client secret. */
export function tokenRequestParams(
  { clientId, clientSecret }: Pick<TokenClientOptions, 'clientId' | 'clientSecret'>,
  grant: Grant,
): Record<string, string> {
  return {
    action: 'requesttoken',
    client_id: clientId,
    client_secret: clientSecret,
    ...grantFields(grant),
  }
}

/** What a grant adds to a token request, signed or not (the signature does not cover these). */
export function grantFields(grant: Grant): Record<string, string> {
  return grant.type === 'authorization_code'
    ? { grant_type: 'authorization_code', code: grant.code, redirect_uri: grant.redirectUri }
    : { grant_type: 'refresh_token', refresh_token: grant.refreshToken }
}

/**
 * The longest token kept. Withings' are 40 hexadecimal characters; both at this bound still make
 * a session cookie well under the 4,096 bytes browsers keep (session-cookie.ts checks the whole).
 */
export const MAX_TOKEN_CHARS = 1_024

export function processTokenResponse(envelope: Envelope, grant: Grant['type']): WithingsTokens {
  if (envelope.status !== 0) {
    throw withingsError(envelope, grant === 'authorization_code' ? 'code_exchange' : 'refresh')
  }
  const { body } = envelope
  const person = userid(body.userid)
  const token = (field: string) => {
    const value = nonEmptyString(body, field)
    if (value.length > MAX_TOKEN_CHARS) throw new TokensTooLong(person)
    return value
  }
  return {
    userid: person,
    accessToken: token('access_token'),
    refreshToken: token('refresh_token'),
    expiresIn: positiveSeconds(body.expires_in),
    // An empty scope is possible in principle; a missing one is treated the same way.
    scope: typeof body.scope === 'string' ? body.scope : '',
  }
}

function nonEmptyString(body: Record<string, unknown>, field: string): string {
  const value = body[field]
  if (typeof value !== 'string' || value === '') {
    throw new RelayError(
      'upstream_error',
      `Missing or invalid '${field}' field in Withings' answer.`,
    )
  }
  return value
}

/** `userid` arrives as a number (reference example: 363) or a string (support article). */
function userid(value: unknown): string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return String(value)
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return value
  throw new RelayError('upstream_error', "Missing or invalid 'userid' field in Withings' answer.")
}

function positiveSeconds(value: unknown): number {
  const seconds = typeof value === 'string' ? Number(value) : value
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new RelayError(
      'upstream_error',
      "Missing or invalid 'expires_in' field in Withings' answer.",
    )
  }
  return Math.floor(seconds)
}
