import type { SessionView } from '../../../relay/contract/wire-contract'
import type { CallbackParams } from './callback-params'
import { safeReturnTo } from './callback-params'
import type { PendingLogins } from './pending-logins'
import type { ProblemCode } from './problems'
import { asRelayError, type RelayClient } from './relay-client'

export type LoginOutcome =
  | { kind: 'connected'; session: SessionView; returnTo: string }
  | { kind: 'failed'; problem: ProblemCode; returnTo: string; retryAfter?: number | undefined }

/**
 * Finishes a login from the callback's parameters. The state is checked (and used up) before
 * anything else; a missing, expired or unknown state fails closed without calling the relay.
 */
export async function completeLogin(
  params: CallbackParams,
  { pendingLogins, relay }: { pendingLogins: PendingLogins; relay: RelayClient },
): Promise<LoginOutcome> {
  if (params.kind === 'missing')
    return { kind: 'failed', problem: 'missing_callback', returnTo: '/' }
  const taken = params.state ? pendingLogins.take(params.state) : ({ status: 'unknown' } as const)
  const returnTo = safeReturnTo(taken.status === 'unknown' ? undefined : taken.login.returnTo)

  if (params.kind === 'error') {
    const problem = params.error === 'access_denied' ? 'access_denied' : 'authorize_error'
    return { kind: 'failed', problem, returnTo }
  }
  if (taken.status === 'unknown') return { kind: 'failed', problem: 'state_unknown', returnTo }
  if (taken.status === 'expired') return { kind: 'failed', problem: 'state_expired', returnTo }

  try {
    const session = await relay.exchange(params.code, params.state)
    return { kind: 'connected', session, returnTo }
  } catch (error) {
    // Any failure ends in a sentence and "Connect again", even one from a custom relay client.
    const { code, retryAfter } = asRelayError(error)
    return { kind: 'failed', problem: code, returnTo, retryAfter }
  }
}
