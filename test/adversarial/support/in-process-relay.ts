import { createRelay } from '../../../relay/core/create-relay'
import type { LogLine } from '../../../relay/core/http/request-log'
import type { SharedStore } from '../../../relay/core/store/shared-store'
import { createEmulator } from '../../../relay/emulator/emulator'
import { buildAuthorizeUrl } from '../../../web/react/auth/authorize-url'
import { randomState } from '../../../web/react/auth/random-state'
import { type ConsentOptions, consentViaHttp } from '../../support/consent'
import { LOGIN_COOKIE, SESSION_COOKIE } from '../../support/cookies'
import { withTokensOf } from '../../support/long-tokens'
import { pagePost } from '../../support/page-post'
import { testConfig } from '../../support/relay-config'

export const APP = 'http://localhost:3000'
const EMULATOR = 'http://127.0.0.1'
const CLIENT = { clientId: 'adversarial-client', clientSecret: 'adversarial-secret-0123456789' }

/** The peer address a request of the tests comes from (the runtime would know it). */
export const PEER_HEADER = 'x-test-peer'

/**
 * The real relay wired to the real emulator in-process (no sockets): fast enough for thousands
 * of generated requests. By default rate limits and budgets are set out of reach, so inputs get
 * past them to the code under attack; `realLimits` keeps the relay's and Withings' own, for the
 * attacks on them. Each request's peer address is its PEER_HEADER (192.0.2.1 without one), unless
 * `withoutAddress` plays a runtime that gives none. `store`: what the relay shares (memory by
 * default); `tokenLength`: Withings' code exchanges answer with tokens that long.
 */
export async function inProcessRelay({
  realLimits = false,
  now,
  store,
  tokenLength,
  withoutAddress = false,
}: {
  realLimits?: boolean
  now?: () => number
  store?: SharedStore
  tokenLength?: number
  withoutAddress?: boolean
} = {}) {
  const emulator = createEmulator({
    clients: [{ ...CLIENT, callbacks: [`${APP}/callback`], name: 'adversarial' }],
    ...(!realLimits && { requestsPerMinute: 1_000_000 }),
    ...(now && { now }),
  })
  const logs: LogLine[] = []
  const config = testConfig({
    ...CLIENT,
    redirectUri: `${APP}/callback`,
    authorizeUrl: `${EMULATOR}/oauth2_user/authorize2`,
    apiUrl: EMULATOR,
    ...(!realLimits && {
      rateLimitPerMinute: 1_000_000,
      withingsCallsPerMinute: 1_000_000,
      signInsPerAddress: 1_000_000,
    }),
  })
  const toEmulator = async (url: string, init: RequestInit) =>
    emulator.fetch(new Request(url, init))
  const app = createRelay(config, {
    fetch: tokenLength === undefined ? toEmulator : withTokensOf(tokenLength, toEmulator),
    log: (line) => logs.push(line),
    ...(!withoutAddress && {
      connectionAddress: (c) => c.req.header(PEER_HEADER) ?? '192.0.2.1',
    }),
    ...(now && { now }),
    ...(store && { store }),
  })
  const post = (path: string, body: unknown, cookie = '', peer?: string) =>
    app.request(
      `${APP}${path}`,
      pagePost(APP, body, { cookie: cookie || undefined, [PEER_HEADER]: peer }),
    )

  /**
   * A real code for `state`, from the emulator's consent pages: the demo user accepts, or the
   * seeded account `as` signs in and does.
   */
  async function codeFor(state: string, as?: Pick<ConsentOptions, 'email' | 'password'>) {
    const callback = await consentViaHttp(
      buildAuthorizeUrl({
        authorizeUrl: config.authorizeUrl,
        clientId: config.clientId,
        redirectUri: config.redirectUri,
        scopes: ['user.metrics'],
        state,
        demo: as === undefined,
      }),
      { fetch: emulator.fetch, ...as },
    )
    return callback.searchParams.get('code') ?? ''
  }

  /** A whole sign-in from `peer`: the relay's answer to the code exchange. */
  async function signIn(peer?: string, as?: Pick<ConsentOptions, 'email' | 'password'>) {
    const state = randomState()
    const login = cookieValue(await post('/api/auth/login', { state }, '', peer), LOGIN_COOKIE)
    const code = await codeFor(state, as)
    return post('/api/auth/token', { code, state }, `${LOGIN_COOKIE}=${login}`, peer)
  }

  /** A genuine login cookie and session cookie, for tampering with. */
  async function genuineCookies(as?: Pick<ConsentOptions, 'email' | 'password'>) {
    const exchanged = await signIn(undefined, as)
    const session = cookieValue(exchanged, SESSION_COOKIE)
    // A second pending state, so a login cookie is still around after the exchange.
    const pending = cookieValue(
      await post('/api/auth/login', { state: randomState() }),
      LOGIN_COOKIE,
    )
    return { login: pending, session }
  }

  const relayKey = config.relaySecrets[0] ?? ''
  return { app, emulator, logs, config, relayKey, post, codeFor, signIn, genuineCookies }
}

export function cookieValue(response: Response, name: string): string {
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`))
  const value = line?.slice(name.length + 1).split(';')[0]
  if (!value) throw new Error(`no ${name} cookie (HTTP ${response.status})`)
  return value
}
