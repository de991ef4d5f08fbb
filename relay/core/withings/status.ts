import type { ErrorCode } from '../../contract/wire-contract'
import { RelayError } from '../errors'
import { type Envelope, waitSeconds } from './envelope'

// What Withings' statuses mean, in one place. Withings answers errors with HTTP 200 and a non-zero
// `status`; the reference groups the statuses into families ("Response Status" section of
// withings-openapi.yml), and real answers add one: a call without its scope answers status 403
// with "Insufficient_scope" in its text (python-withings issue 587), besides the reference's
// "Unauthorized" family. The relay turns each into one of its stable codes; Withings' own text
// only helps to classify and never reaches a browser or a log line (it could echo what the relay
// sent in confidence).

type StatusFamily =
  | 'ok'
  | 'authentication_failed'
  | 'invalid_params'
  | 'unauthorized'
  | 'insufficient_scope'
  | 'not_implemented'
  | 'timeout'
  | 'bad_state'
  | 'too_many_requests'
  | 'error_occurred'

type Range = readonly [from: number, to: number, family: StatusFamily]

const TABLE: readonly Range[] = [
  [0, 0, 'ok'],
  [100, 102, 'authentication_failed'],
  [200, 200, 'authentication_failed'],
  [201, 213, 'invalid_params'],
  [214, 214, 'unauthorized'],
  [216, 218, 'invalid_params'],
  [220, 221, 'invalid_params'],
  [223, 223, 'invalid_params'],
  [225, 225, 'invalid_params'],
  [227, 230, 'invalid_params'],
  [234, 236, 'invalid_params'],
  [238, 238, 'invalid_params'],
  [240, 252, 'invalid_params'],
  [254, 254, 'invalid_params'],
  [260, 267, 'invalid_params'],
  [271, 272, 'invalid_params'],
  [275, 276, 'invalid_params'],
  [277, 277, 'unauthorized'],
  [283, 288, 'invalid_params'],
  [290, 290, 'invalid_params'],
  [293, 295, 'invalid_params'],
  [297, 297, 'invalid_params'],
  [300, 304, 'invalid_params'],
  [321, 321, 'invalid_params'],
  [323, 353, 'invalid_params'],
  [380, 382, 'invalid_params'],
  [400, 400, 'invalid_params'],
  [401, 401, 'authentication_failed'],
  [501, 511, 'invalid_params'],
  [522, 522, 'timeout'],
  [523, 523, 'invalid_params'],
  [524, 524, 'bad_state'],
  [532, 532, 'invalid_params'],
  [601, 601, 'too_many_requests'],
  [2553, 2553, 'unauthorized'],
  [2554, 2554, 'not_implemented'],
  [2555, 2555, 'unauthorized'],
  [3017, 3019, 'invalid_params'],
]

/** Every status the table does not name is "An error occurred". */
export function statusFamily(status: number, error = ''): StatusFamily {
  if (status === 403 || /insufficient_scope/i.test(error)) return 'insufficient_scope'
  for (const [from, to, family] of TABLE) if (status >= from && status <= to) return family
  return 'error_occurred'
}

/** What the relay was doing when Withings answered: the same status means different things. */
type CallKind = 'code_exchange' | 'refresh' | 'data' | 'signed'

/**
 * The relay's error for a non-zero status. `data` calls carry only the person's access token, so
 * "Authentication failed" there is about that token (the caller refreshes and retries once);
 * token and signed calls carry the app's credentials, so the same family is about those.
 */
export function withingsError(envelope: Envelope, kind: CallKind): RelayError {
  const { status, error = '' } = envelope
  const family = statusFamily(status, error)
  const about = (word: string) => error.toLowerCase().includes(word)
  const refusal = (code: ErrorCode, sentence: string) =>
    new RelayError(code, `${sentence} (Withings status ${status}).`, {
      retryAfter: code === 'rate_limited' ? waitSeconds(envelope) : undefined,
    })

  switch (family) {
    case 'too_many_requests':
      return refusal(
        'rate_limited',
        kind === 'code_exchange'
          ? 'Withings asks to slow down; the code cannot wait that long, so connect again after the wait'
          : 'Withings asks to slow down',
      )
    case 'timeout':
      return refusal('upstream_timeout', 'Withings timed out')
    case 'bad_state':
      return refusal('upstream_unavailable', 'Withings reported a bad state')
    case 'insufficient_scope':
    case 'unauthorized':
      return kind === 'data'
        ? refusal('scope_denied', 'This connection does not hold the scope this call needs')
        : refusal('upstream_error', "Withings refused the app's access to this service")
    case 'authentication_failed':
    case 'invalid_params': {
      const [code, sentence] = credentialRefusal(kind, {
        authentication: family === 'authentication_failed',
        redirectUri: status === 293 || about('redirect_uri'),
        credentials: ['client', 'signature', 'nonce', 'timestamp'].some(about),
      })
      return refusal(code, sentence)
    }
    default:
      return refusal('upstream_error', 'Withings refused the request')
  }
}

// "Invalid Params: invalid client id/secret" is also what Withings answers when the callback URL
// differs from the registered one, so the sentence names both causes.
const BAD_CREDENTIALS =
  "Withings refused the app's credentials: check WITHINGS_CLIENT_ID and WITHINGS_CLIENT_SECRET, and that WITHINGS_REDIRECT_URI is exactly a callback registered for the app"
const BAD_SIGNATURE =
  "Withings refused the relay's signature: check WITHINGS_CLIENT_ID, WITHINGS_CLIENT_SECRET and the server's clock"

/** "Authentication failed" and "Invalid params", by what the call sent. */
function credentialRefusal(
  kind: CallKind,
  seen: { authentication: boolean; redirectUri: boolean; credentials: boolean },
): [ErrorCode, string] {
  switch (kind) {
    case 'data':
      return seen.authentication
        ? ['session_expired', 'Withings no longer accepts this access token']
        : ['upstream_error', "Withings refused the call's parameters"]
    case 'code_exchange':
      if (seen.redirectUri) {
        return [
          'redirect_uri_mismatch',
          'Withings refused the redirect_uri: it must equal the one in the authorize URL and be registered as a callback',
        ]
      }
      if (seen.credentials || seen.authentication) return ['invalid_client', BAD_CREDENTIALS]
      return [
        'code_expired',
        'The authorization code is no longer valid: codes live 30 seconds and work once',
      ]
    case 'refresh':
      return seen.credentials
        ? ['invalid_client', BAD_CREDENTIALS]
        : ['session_expired', 'Withings no longer accepts this session']
    case 'signed':
      return seen.credentials || seen.authentication
        ? ['invalid_client', BAD_SIGNATURE]
        : ['upstream_error', "Withings refused the call's parameters"]
  }
}
