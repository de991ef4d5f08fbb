/**
 * Every error code the relay answers with, its HTTP status, and whether the same request may
 * succeed later without the person doing anything else (`retryable`). One table for the relay's
 * answers and the SPA's next steps.
 */
export const ERROR_CODES = {
  bad_request: { status: 400, retryable: false },
  unsupported_media_type: { status: 415, retryable: false },
  payload_too_large: { status: 413, retryable: false },
  forbidden_origin: { status: 403, retryable: false },
  not_found: { status: 404, retryable: false },
  invalid_state: { status: 400, retryable: false },
  login_cookie_missing: { status: 400, retryable: false },
  code_expired: { status: 400, retryable: false },
  redirect_uri_mismatch: { status: 502, retryable: false },
  invalid_client: { status: 502, retryable: false },
  session_expired: { status: 401, retryable: false },
  scope_denied: { status: 403, retryable: false },
  /** Withings asked to slow down (status 601), or one address made too many requests. */
  rate_limited: { status: 429, retryable: true },
  /** The relay's own budget of calls to Withings, for the whole app, is spent for now. */
  relay_busy: { status: 429, retryable: true },
  /** Too many sign-ins Withings refused (made-up or replayed codes), from this address or all. */
  sign_ins_limited: { status: 429, retryable: true },
  /** Disconnect could not record the session's end: nothing changed, and it can be tried again. */
  disconnect_incomplete: { status: 503, retryable: true },
  /** Withings' tokens are too long to keep in a cookie: the connection was undone at Withings. */
  tokens_too_long: { status: 502, retryable: false },
  upstream_timeout: { status: 504, retryable: true },
  upstream_unavailable: { status: 502, retryable: true },
  upstream_error: { status: 502, retryable: false },
  shutting_down: { status: 503, retryable: true },
  relay_unavailable: { status: 503, retryable: true },
  internal_error: { status: 500, retryable: false },
} as const satisfies Record<string, { status: number; retryable: boolean }>

export type ErrorCode = keyof typeof ERROR_CODES

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value)
}

/** The body of every error answer of the relay. */
export interface ErrorBody {
  error: {
    code: ErrorCode
    /** A sentence for developers, written by the relay: never Withings' own error text. */
    message: string
    retryable: boolean
    /** Seconds to wait before trying again, when the relay or Withings said so. */
    retry_after?: number
  }
}
