import type { PublicConfig } from '../../relay/contract/wire-contract'
import { buildAuthorizeUrl } from '../../web/react/auth/authorize-url'
import { randomState } from '../../web/react/auth/random-state'
import type { ApiClient } from './api-client'
import { type ConsentOptions, consentViaHttp } from './consent'
import type { Stack } from './stack'

/** Binds a fresh state at the relay and goes through the emulator's consent pages over HTTP. */
export function startLogin(
  stack: Stack,
  api: ApiClient,
  {
    redirectUri = stack.config.redirectUri,
    ...options
  }: { scopes?: string[]; demo?: boolean; redirectUri?: string } & ConsentOptions = {},
) {
  const { authorizeUrl, clientId } = stack.config
  return startLoginAt(
    api,
    { authorize_url: authorizeUrl, client_id: clientId, redirect_uri: redirectUri },
    options,
  )
}

/** The same, against a relay in another process, configured as its `GET /api/config` says. */
export async function startLoginAt(
  api: ApiClient,
  config: Pick<PublicConfig, 'authorize_url' | 'client_id' | 'redirect_uri'>,
  {
    scopes = ['user.metrics', 'user.activity'],
    demo = true,
    ...consent
  }: { scopes?: string[]; demo?: boolean } & ConsentOptions = {},
) {
  const state = randomState()
  const bound = await api.post('/api/auth/login', { state })
  if (bound.status !== 204) throw new Error(`login answered ${bound.status}: ${await bound.text()}`)
  const callback = await consentViaHttp(
    buildAuthorizeUrl({
      authorizeUrl: config.authorize_url,
      clientId: config.client_id,
      redirectUri: config.redirect_uri,
      scopes,
      state,
      demo,
    }),
    consent,
  )
  const code = callback.searchParams.get('code') ?? ''
  /** `body` is what the SPA posts to /api/auth/token; `bound` the relay's answer to the login. */
  return { state, callback, code, body: { code, state }, bound }
}

/**
 * The whole login: consent, then the SPA's POST /api/auth/token; then it waits for what the
 * relay does after answering (subscribing to notifications), so that a test's faults and counts
 * meet only its own calls.
 */
export async function connect(
  stack: Stack,
  api: ApiClient,
  options?: Parameters<typeof startLogin>[2],
) {
  const { body } = await startLogin(stack, api, options)
  const answer = await api.post('/api/auth/token', body)
  await stack.settled()
  return answer
}
