// The relay's HTTP contract (DESIGN §3), shared with the SPA: types, constants and one pure
// helper, with no imports, so web/ may use this file without pulling relay code into its bundle.

/** The only token material a browser ever receives. The refresh token stays in a sealed cookie. */
export interface TokenView {
  access_token: string
  token_type: 'Bearer'
  /** Seconds since the Unix epoch at which the access token stops working. */
  expires_at: number
  /** Scopes the person actually granted, comma-separated as Withings writes them. */
  scope: string
  /** Withings sends userid as a number or a string; the relay always hands out a string. */
  userid: string
}

/** Public, non-secret settings the SPA needs to build the authorize URL (`GET /api/config`). */
export interface PublicConfig {
  client_id: string
  redirect_uri: string
  authorize_url: string
  /** True when the relay talks to the built-in emulator rather than Withings. */
  emulator: boolean
}

export type ErrorCode =
  | 'bad_request'
  | 'unsupported_media_type'
  | 'payload_too_large'
  | 'forbidden_origin'
  | 'not_found'
  | 'invalid_state'
  | 'login_cookie_missing'
  | 'code_expired'
  | 'redirect_uri_mismatch'
  | 'invalid_client'
  | 'session_expired'
  | 'token_expired'
  | 'access_denied'
  | 'rate_limited'
  | 'upstream_timeout'
  | 'upstream_unavailable'
  | 'upstream_error'
  | 'shutting_down'
  | 'internal_error'

export interface ErrorBody {
  error: {
    code: ErrorCode
    message: string
    retryable: boolean
    /** Seconds to wait before trying again, when the relay or Withings said so. */
    retry_after?: number
  }
}

/** The static header every mutating call must carry: a cross-site form cannot set it. */
export const CUSTOM_HEADER = 'X-Withings-Link'
export const CUSTOM_HEADER_VALUE = '1'

/** Withings scopes, in the order of their documentation table. */
export const SCOPES = ['user.info', 'user.metrics', 'user.activity', 'user.sleepevents'] as const
export type Scope = (typeof SCOPES)[number]

/** Withings' code lifetime: the exchange has to finish inside this budget (DESIGN §4). */
export const CODE_LIFETIME_SECONDS = 30
/** How long a pending login (state) stays valid, in the SPA and in the login cookie. */
export const PENDING_LOGIN_SECONDS = 600

/** Equal-time string comparison, so a wrong state reveals nothing through timing. */
export function constantTimeEqual(a: string, b: string): boolean {
  let difference = a.length ^ b.length
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    difference |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0)
  }
  return difference === 0
}

/**
 * The Withings data services the relay forwards (`POST /api/withings/{service}`), each with the
 * only actions it lets through (DESIGN §3; Withings' scope table names them).
 */
export const DATA_ACTIONS = {
  measure: ['getmeas'],
  'v2/measure': ['getactivity', 'getintradayactivity', 'getworkouts'],
  'v2/sleep': ['get', 'getsummary'],
  'v2/heart': ['list', 'get'],
  'v2/user': ['getdevice', 'getgoals'],
} as const
export type DataService = keyof typeof DATA_ACTIONS
export type DataAction<S extends DataService = DataService> = (typeof DATA_ACTIONS)[S][number]
