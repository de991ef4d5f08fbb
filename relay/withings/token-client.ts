import { RelayError } from '../errors'
import { type Envelope, waitSeconds, withoutEchoes } from './envelope'
import { statusFamily } from './status'
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

export interface TokenClientOptions extends UpstreamOptions {
  apiUrl: string
  clientId: string
  clientSecret: string
}

export interface TokenClient {
  request(grant: Grant): Promise<WithingsTokens>
}

export function createTokenClient(options: TokenClientOptions): TokenClient {
  const endpoint = `${options.apiUrl}/v2/oauth2`
  return {
    async request(grant) {
      const envelope = await postForm(options, endpoint, tokenRequestParams(options, grant))
      const sent = grant.type === 'authorization_code' ? grant.code : grant.refreshToken
      return processTokenResponse(withoutEchoes(envelope, [options.clientSecret, sent]), grant.type)
    },
  }
}

export function tokenRequestParams(
  { clientId, clientSecret }: Pick<TokenClientOptions, 'clientId' | 'clientSecret'>,
  grant: Grant,
): Record<string, string> {
  const common = { action: 'requesttoken', client_id: clientId, client_secret: clientSecret }
  return grant.type === 'authorization_code'
    ? {
        ...common,
        grant_type: 'authorization_code',
        code: grant.code,
        redirect_uri: grant.redirectUri,
      }
    : { ...common, grant_type: 'refresh_token', refresh_token: grant.refreshToken }
}

export function processTokenResponse(envelope: Envelope, grant: Grant['type']): WithingsTokens {
  if (envelope.status !== 0) throw tokenError(envelope, grant)
  const { body } = envelope
  return {
    userid: userid(body.userid),
    accessToken: nonEmptyString(body, 'access_token'),
    refreshToken: nonEmptyString(body, 'refresh_token'),
    expiresIn: positiveSeconds(body.expires_in),
    // An empty scope is possible in principle; a missing one is treated the same way.
    scope: typeof body.scope === 'string' ? body.scope : '',
  }
}

/** Maps a non-zero token status to the relay's stable codes (DESIGN §3, §4). */
export function tokenError(envelope: Envelope, grant: Grant['type']): RelayError {
  const { status, error = '' } = envelope
  const said = error ? ` Withings said: "${error}" (status ${status}).` : ` (status ${status})`
  const family = statusFamily(status)
  const about = (word: string) => error.toLowerCase().includes(word)

  switch (family) {
    case 'too_many_requests':
      return new RelayError('rate_limited', `Withings asks to slow down.${said}`, {
        retryAfter: waitSeconds(envelope),
      })
    case 'timeout':
      return new RelayError('upstream_timeout', `Withings timed out.${said}`)
    case 'bad_state':
      return new RelayError('upstream_unavailable', `Withings reported a bad state.${said}`)
    case 'authentication_failed':
    case 'invalid_params':
      if (status === 293 || about('redirect_uri')) {
        return new RelayError(
          'redirect_uri_mismatch',
          `Withings refused the redirect_uri: it must equal the one in the authorize URL and be registered as a callback.${said}`,
        )
      }
      if (about('client')) {
        return new RelayError(
          'invalid_client',
          `Withings refused the relay's client credentials; check WITHINGS_CLIENT_ID and WITHINGS_CLIENT_SECRET.${said}`,
        )
      }
      if (grant === 'refresh_token') {
        return new RelayError('session_expired', `Withings no longer accepts this session.${said}`)
      }
      if (family === 'authentication_failed') {
        return new RelayError(
          'invalid_client',
          `Withings refused the relay's client credentials.${said}`,
        )
      }
      return new RelayError(
        'code_expired',
        `The authorization code is no longer valid: codes live 30 seconds and work once.${said}`,
      )
    default:
      return new RelayError('upstream_error', `Withings refused the token request.${said}`)
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
