import type { MiddlewareHandler } from 'hono'
import type { RateLimiter } from './client-budget'
import type { ClientRegistry } from './clients'
import { failure, MESSAGES, success } from './envelope-answers'
import { applyFaults } from './fault-response'
import type { FaultSwitchboard } from './faults'
import type { SubscriptionStore } from './notify/subscription-store'
import { overBudget } from './over-budget'
import { readFormBody } from './params'
import type { RecordingRequestLog } from './recorded-requests'
import type { NonceStore } from './signature/nonces'
import { checkSignedCall } from './signature/signed-request'
import type { TokenStore } from './token-store'
import { findUser, type SeededUser } from './users'

// wbsapi's `POST /v2/oauth2 action=revoke` (reference: oauth2-revoke), signed: "your access and
// refresh tokens for this user will become invalid, and the data update notifications for this
// user will be automatically unsubscribed". Other actions go on to the token endpoint. Revoking
// a person who holds nothing any more succeeds again; only a userid the emulator does not know
// is refused.

interface RevokeDeps {
  clients: ClientRegistry
  users: readonly SeededUser[]
  tokens: TokenStore
  subscriptions: SubscriptionStore
  nonces: NonceStore
  rateLimiter: RateLimiter
  requests: RecordingRequestLog
  faults: FaultSwitchboard
  now: () => number
}

export function revokeEndpoint(deps: RevokeDeps): MiddlewareHandler {
  const { users, tokens, subscriptions, rateLimiter, requests, faults, now } = deps

  async function handle(form: URLSearchParams): Promise<Response> {
    const limited = overBudget(rateLimiter, form.get('client_id') ?? '')
    if (limited) return limited
    const signed = await checkSignedCall(form, deps)
    if (!signed.ok) return signed.response
    const text = form.get('userid') ?? ''
    const user = /^\d{1,15}$/.test(text) ? findUser(users, Number(text)) : undefined
    if (!user) return failure(503, MESSAGES.invalidParams('userid'))
    const { clientId } = signed.client
    tokens.revoke(clientId, user.userid)
    subscriptions.remove((entry) => entry.clientId === clientId && entry.userid === user.userid)
    return success({})
  }

  return async function revokeRoute(c, next) {
    // A copy: the token endpoint reads the body itself when this is not a revoke.
    const form = await readFormBody(c.req.raw.clone())
    if (form.get('action') !== 'revoke') return next()
    requests.record({ route: 'revoke', action: 'revoke', at: now() })
    return (await applyFaults(faults, 'token', c.env)) ?? handle(form)
  }
}
