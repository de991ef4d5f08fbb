import { createRelay } from '../../../relay/core/create-relay'
import type { LogLine } from '../../../relay/core/http/request-log'
import { createEmulator } from '../../../relay/emulator/emulator'
import { buildAuthorizeUrl } from '../../../web/react/auth/authorize-url'
import { randomState } from '../../../web/react/auth/random-state'
import { consentViaHttp } from '../../support/consent'
import { LOGIN_COOKIE, SESSION_COOKIE } from '../../support/cookies'
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
 * attacks on them. Each request's peer address is its PEER_HEADER (192.0.2.1 without one).
 */
export async function inProcessRelay({
  realLimits = false,
  now,
}: {
  realLimits?: boolean
  now?: () => number
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
  const app = createRelay(config, {
    fetch: async (input, init) => emulator.fetch(new Request(input, init)),
    log: (line) => logs.push(line),
    connectionAddress: (c) => c.req.header(PEER_HEADER) ?? '192.0.2.1',
    ...(now && { now }),
  })
  const post = (path: string, body: unknown, cookie = '', peer?: string) =>
    app.request(
      `${APP}${path}`,
      pagePost(APP, body, { cookie: cookie || undefined, [PEER_HEADER]: peer }),
    )

  /** A real code for `state`, from the emulator's consent pages (the demo user accepts). */
  async function codeFor(state: string): Promise<string> {
    const callback = await consentViaHttp(
      buildAuthorizeUrl({
        authorizeUrl: config.authorizeUrl,
        clientId: config.clientId,
        redirectUri: config.redirectUri,
        scopes: ['user.metrics'],
        state,
        demo: true,
      }),
      { fetch: emulator.fetch },
    )
    return callback.searchParams.get('code') ?? ''
  }

  /** A genuine login cookie and session cookie, for tampering with. */
  async function genuineCookies() {
    const state = randomState()
    const login = cookieValue(await post('/api/auth/login', { state }), LOGIN_COOKIE)
    const code = await codeFor(state)
    const exchanged = await post('/api/auth/token', { code, state }, `${LOGIN_COOKIE}=${login}`)
    const session = cookieValue(exchanged, SESSION_COOKIE)
    // A second pending state, so a login cookie is still around after the exchange.
    const pending = cookieValue(
      await post('/api/auth/login', { state: randomState() }),
      LOGIN_COOKIE,
    )
    return { login: pending, session }
  }

  const relayKey = config.relaySecrets[0] ?? ''
  return { app, emulator, logs, config, relayKey, post, codeFor, genuineCookies }
}

export function cookieValue(response: Response, name: string): string {
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`))
  const value = line?.slice(name.length + 1).split(';')[0]
  if (!value) throw new Error(`no ${name} cookie (HTTP ${response.status})`)
  return value
}
