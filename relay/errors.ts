import type { ErrorBody, ErrorCode } from './contract'

interface CodeTraits {
  status: 400 | 401 | 403 | 404 | 413 | 415 | 429 | 500 | 502 | 503 | 504
  retryable: boolean
}

/** Every error the relay answers with: one HTTP status and retry hint per stable code. */
const TRAITS: Record<ErrorCode, CodeTraits> = {
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
  token_expired: { status: 401, retryable: false },
  access_denied: { status: 403, retryable: false },
  rate_limited: { status: 429, retryable: true },
  upstream_timeout: { status: 504, retryable: true },
  upstream_unavailable: { status: 502, retryable: true },
  upstream_error: { status: 502, retryable: false },
  shutting_down: { status: 503, retryable: true },
  internal_error: { status: 500, retryable: false },
}

/** The relay's one error type: a stable code, a sentence for developers, and the cause. */
export class RelayError extends Error {
  readonly code: ErrorCode
  readonly status: CodeTraits['status']
  readonly retryable: boolean
  readonly retryAfter: number | undefined

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; retryAfter?: number | undefined } = {},
  ) {
    super(message, { cause: options.cause })
    this.name = 'RelayError'
    this.code = code
    this.status = TRAITS[code].status
    this.retryable = TRAITS[code].retryable
    this.retryAfter = options.retryAfter
  }

  toBody(): ErrorBody {
    const error: ErrorBody['error'] = {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
    }
    if (this.retryAfter !== undefined) error.retry_after = this.retryAfter
    return { error }
  }
}
