import { buildAuthorizeUrl } from '../../web/auth/authorize-url'
import { randomState } from '../../web/auth/random-state'
import type { ApiClient } from './api-client'
import { type ConsentOptions, consentViaHttp } from './consent'
import type { Stack } from './stack'

/** Binds a fresh state at the relay and goes through the emulator's consent pages over HTTP. */
export async function startLogin(
  stack: Stack,
  api: ApiClient,
  {
    scopes = ['user.metrics', 'user.activity'],
    demo = true,
    redirectUri = stack.config.redirectUri,
    ...consent
  }: { scopes?: string[]; demo?: boolean; redirectUri?: string } & ConsentOptions = {},
) {
  const state = randomState()
  const bound = await api.post('/api/auth/login', { state })
  if (bound.status !== 204) throw new Error(`login answered ${bound.status}: ${await bound.text()}`)
  const callback = await consentViaHttp(
    buildAuthorizeUrl({
      authorizeUrl: stack.config.authorizeUrl,
      clientId: stack.config.clientId,
      redirectUri,
      scopes,
      state,
      demo,
    }),
    consent,
  )
  const code = callback.searchParams.get('code') ?? ''
  /** `body` is what the SPA posts to /api/auth/token. */
  return { state, callback, code, body: { code, state } }
}

/** The whole login: consent, then the SPA's POST /api/auth/token. */
export async function connect(
  stack: Stack,
  api: ApiClient,
  options?: Parameters<typeof startLogin>[2],
) {
  const { body } = await startLogin(stack, api, options)
  return api.post('/api/auth/token', body)
}
