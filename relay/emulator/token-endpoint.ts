import type { Handler } from 'hono'
import { type RateLimiter, tooManyRequests } from './client-budget'
import type { ClientRegistry } from './clients'
import { failure, MESSAGES, success } from './envelope-answers'
import { applyFaults } from './fault-response'
import type { FaultSwitchboard } from './faults'
import { canonical, readFormBody } from './params'
import { newCsrfToken } from './random'
import type { RecordingRequestLog } from './recorded-requests'
import type { SameArguments } from './same-arguments'
import type { NonceStore } from './signature/nonces'
import { tokenRequestClient } from './signature/signed-request'
import type { Grant, IssuedTokens, TokenStore } from './token-store'
import { findUser, type SeededUser, useridForWire } from './users'

// wbsapi's `POST /v2/oauth2` (reference: oauth2-getaccesstoken), action=requesttoken with
// grant_type authorization_code or refresh_token, with the client secret or signed. Always
// HTTP 200 with an envelope.

interface TokenEndpointDeps {
  clients: ClientRegistry
  users: readonly SeededUser[]
  tokens: TokenStore
  requests: RecordingRequestLog
  faults: FaultSwitchboard
  sameArguments: SameArguments
  rateLimiter: RateLimiter
  nonces: NonceStore
  now: () => number
}

export function tokenEndpoint(deps: TokenEndpointDeps): Handler {
  const { users, tokens, requests, faults, sameArguments, rateLimiter, now } = deps

  function tokenResponse(grant: Grant, issued: IssuedTokens): Response {
    const user = findUser(users, grant.userid)
    return success({
      userid: user ? useridForWire(user) : grant.userid,
      access_token: issued.accessToken,
      refresh_token: issued.refreshToken,
      expires_in: issued.expiresIn,
      scope: grant.scope,
      csrf_token: newCsrfToken(),
      token_type: 'Bearer',
    })
  }

  async function handle(form: URLSearchParams): Promise<Response> {
    const clientId = form.get('client_id') ?? ''
    const waitForClient = rateLimiter.take(clientId)
    if (waitForClient !== undefined) return tooManyRequests(waitForClient)
    const waitForSame = sameArguments.check(canonical(form))
    if (waitForSame !== undefined) {
      return failure(601, MESSAGES.sameArguments, { wait_seconds: waitForSame })
    }

    const action = form.get('action')
    if (action !== null && action !== 'requesttoken') return failure(2554, MESSAGES.notImplemented)
    const grantType = form.get('grant_type')
    // Withings FAQ: "Invalid_params: invalid grant_type — Make sure you did a POST call with
    // params in the body": parameters in the query string are not read at all.
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
      return failure(503, MESSAGES.invalidParams('grant_type'))
    }
    if (action === null) return failure(2554, MESSAGES.notImplemented)

    const authenticated = await tokenRequestClient(form, deps)
    if (!authenticated.ok) return authenticated.response
    const { client } = authenticated

    if (grantType === 'authorization_code') {
      const redeemed = tokens.redeemCode(
        form.get('code') ?? '',
        client.clientId,
        form.get('redirect_uri') ?? '',
      )
      if (!redeemed.ok) {
        return redeemed.reason === 'wrong_redirect_uri'
          ? failure(293, MESSAGES.wrongRedirectUri)
          : failure(503, MESSAGES.invalidParams('code'))
      }
      return tokenResponse(redeemed.grant, tokens.issueTokens(redeemed.grant))
    }

    const refreshed = tokens.refresh(form.get('refresh_token') ?? '', client.clientId)
    if (!refreshed) return failure(503, MESSAGES.invalidParams('refresh_token'))
    return tokenResponse(refreshed.grant, refreshed.tokens)
  }

  return async function tokenRoute(c) {
    const form = await readFormBody(c.req.raw)
    const grantType = form.get('grant_type')
    requests.record({ route: 'token', ...(grantType === null ? {} : { grantType }), at: now() })
    return (await applyFaults(faults, 'token', c.env)) ?? handle(form)
  }
}
