import { createRelay } from '../../../relay/app'
import { CUSTOM_HEADER, CUSTOM_HEADER_VALUE } from '../../../relay/contract'
import { createEmulator } from '../../../relay/emulator/app'
import type { LogLine } from '../../../relay/http/request-log'
import { buildAuthorizeUrl } from '../../../web/link/auth/authorize-url'
import { randomState } from '../../../web/link/auth/random-state'
import { consentViaHttp } from '../../support/consent'
import { LOGIN_COOKIE, SESSION_COOKIE } from '../../support/cookies'
import { testConfig } from '../../support/relay-config'

export const APP = 'http://localhost:3000'
const EMULATOR = 'http://127.0.0.1'
const CLIENT = { clientId: 'adversarial-client', clientSecret: 'adversarial-secret-0123456789' }

/**
 * The real relay wired to the real emulator in-process (no sockets): fast enough for thousands
 * of generated requests. Rate limits are set out of reach so inputs get past them to the code
 * under attack; the limits have their own tests.
 */
export async function inProcessRelay() {
  const emulator = createEmulator({
    clients: [{ ...CLIENT, callbacks: [`${APP}/callback`], name: 'adversarial' }],
  })
  const logs: LogLine[] = []
  const config = testConfig({
    ...CLIENT,
    redirectUri: `${APP}/callback`,
    authorizeUrl: `${EMULATOR}/oauth2_user/authorize2`,
    apiUrl: EMULATOR,
    rateLimitPerMinute: 1_000_000,
  })
  const app = createRelay(config, {
    fetch: async (input, init) => emulator.fetch(new Request(input, init)),
    log: (line) => logs.push(line),
    connectionAddress: () => '192.0.2.1',
  })
  const post = (path: string, body: unknown, cookie = '') =>
    app.request(`${APP}${path}`, {
      method: 'POST',
      headers: {
        origin: APP,
        [CUSTOM_HEADER]: CUSTOM_HEADER_VALUE,
        'content-type': 'application/json',
        ...(cookie && { cookie }),
      },
      body: JSON.stringify(body),
    })

  /** A genuine login cookie and session cookie, for tampering with. */
  async function genuineCookies() {
    const state = randomState()
    const login = cookieValue(await post('/api/auth/login', { state }), LOGIN_COOKIE)
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
    const code = callback.searchParams.get('code') ?? ''
    const exchanged = await post('/api/auth/token', { code, state }, `${LOGIN_COOKIE}=${login}`)
    const session = cookieValue(exchanged, SESSION_COOKIE)
    // A second pending state, so a login cookie is still around after the exchange.
    const pending = cookieValue(
      await post('/api/auth/login', { state: randomState() }),
      LOGIN_COOKIE,
    )
    return { login: pending, session }
  }

  return { app, emulator, logs, config, genuineCookies }
}

function cookieValue(response: Response, name: string): string {
  const line = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`))
  const value = line?.slice(name.length + 1).split(';')[0]
  if (!value) throw new Error(`no ${name} cookie (HTTP ${response.status})`)
  return value
}
