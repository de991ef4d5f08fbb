// Withings answers every API call with HTTP 200 and `{status, body, error?}`; a non-zero status
// is the failure (reference: "Response Status"). These helpers build exactly that shape.

export type EnvelopeBody = Record<string, unknown>

export interface Envelope {
  status: number
  body: EnvelopeBody
  error?: string
}

export function envelopeResponse({ status, body, error }: Envelope): Response {
  const payload = error === undefined || status === 0 ? { status, body } : { status, body, error }
  return new Response(JSON.stringify(payload), {
    status: 200,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  })
}

export const success = (body: EnvelopeBody): Response => envelopeResponse({ status: 0, body })

export const failure = (status: number, error: string, body: EnvelopeBody = {}): Response =>
  envelopeResponse({ status, body, error })

/** Messages Withings really sends, kept in one place so tests and handlers agree. */
export const MESSAGES = {
  invalidToken: 'XRequestID: Not provided invalid_token: The access token provided is invalid',
  // A call its token's scope does not cover: envelope status 403 with this text, not the
  // reference's 214 (joostlek/python-withings issue 587, a Sleep v2 call without user.activity).
  insufficientScope:
    'XRequestID: [Not provided] - Insufficient_scope: The request requires higher privileges than provided by the access token',
  // An unknown client id and a wrong secret get one answer that never says which of the two was
  // wrong (docs/withings.md, "Errors and limits": unconfirmed by a public recording).
  invalidClient: 'Invalid Params: invalid client id/secret',
  notImplemented: 'Not implemented',
  sameArguments: 'Same arguments in less than 10 seconds',
  tooManyRequests: 'Too many requests',
  wrongRedirectUri: 'Wrong redirect_uri',
  invalidParams: (name: string) => `Invalid Params: invalid ${name}`,
  // Statuses 286, 293, 294 and 342 of Withings' former API status list (quoted by its clients,
  // e.g. https://github.com/maximebf/python-withings withings/__init__.py); all in the
  // "invalid params" family of the reference's table. 342 is still what a bad signature earned
  // in 2018 (https://github.com/GoldenCheetah/GoldenCheetah/issues/2834).
  invalidSignature: 'The signature (using Oauth) is invalid',
  invalidCallback: 'The callback URL is either absent or incorrect',
  noSuchSubscription: 'No such subscription was found',
  nothingToRevoke: 'No such subscription could be deleted',
} as const

/**
 * The family of a status, from the reference's response_status table; used to word the default
 * `error` of an injected status fault.
 */
export function statusFamily(status: number): string {
  if (status === 0) return 'Operation was successful'
  if ((status >= 100 && status <= 102) || status === 200 || status === 401) {
    return 'Authentication failed'
  }
  if ([214, 277, 2553, 2555].includes(status)) return 'Unauthorized'
  if (status === 522) return 'Timeout'
  if (status === 524) return 'Bad state'
  if (status === 601) return 'Too many requests'
  if (status === 2554) return 'Not implemented'
  if ((status >= 201 && status <= 213) || status === 503) return 'Invalid params'
  return 'An error occurred'
}
