import { ERROR_CODES, type ErrorBody, type ErrorCode } from '../contract/wire-contract'

type HttpStatus = (typeof ERROR_CODES)[ErrorCode]['status']

/** The relay's one error type: a stable code, a sentence for developers, and the cause. */
export class RelayError extends Error {
  readonly code: ErrorCode
  readonly status: HttpStatus
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
    this.status = ERROR_CODES[code].status
    this.retryable = ERROR_CODES[code].retryable
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

/**
 * Withings sent tokens too long to keep in the session cookie (or the cookie itself grew past
 * what browsers keep): `userid` names the grant the relay then undoes at Withings.
 */
export class TokensTooLong extends RelayError {
  constructor(readonly userid: string) {
    super(
      'tokens_too_long',
      "Withings' tokens are longer than a browser keeps in a cookie: this connection cannot be kept, and Withings is asked to undo it.",
    )
    this.name = 'TokensTooLong'
  }
}
