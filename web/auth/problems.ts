import type { ErrorCode } from '../../relay/contract'
import type { ClientErrorCode } from './relay-client'

/** Problems the callback page finds on its own, before any call to the relay. */
export type CallbackProblem = 'state_unknown' | 'state_expired' | 'missing_callback'

/** Everything that can go wrong, as a stable code; web/copy/error-messages.ts says it in words. */
export type ProblemCode = ErrorCode | ClientErrorCode | CallbackProblem
