import type { ErrorCode } from '../../../relay/contract/wire-contract'
import type { ClientErrorCode } from './relay-client'

/**
 * Problems the callback page finds on its own, before any call to the relay: what Withings put
 * in the callback URL (`access_denied`, or another authorize error), or a state it cannot match.
 */
export type CallbackProblem =
  | 'access_denied'
  | 'authorize_error'
  | 'state_unknown'
  | 'state_expired'
  | 'missing_callback'

/** Everything that can go wrong, as a stable code; ../copy/error-messages.ts says it in words. */
export type ProblemCode = ErrorCode | ClientErrorCode | CallbackProblem
