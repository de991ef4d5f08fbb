import { cookiePolicy } from '../../relay/core/cookies/cookie-policy'
import { buildAuthorizeUrl } from '../../web/react/auth/authorize-url'
import { randomState } from '../../web/react/auth/random-state'
import { consentViaHttp } from '../support/consent'
import { pageHeaders } from '../support/page-post'
import {
  createHttpClient,
  type HttpAnswer,
  type HttpClient,
  type HttpRequest,
  setCookieValue,
} from './http-client'
import { CLIENT } from './servers'

const cookies = cookiePolicy(CLIENT.redirectUri)
const LOGIN_COOKIE = cookies.login.name
export const SESSION_COOKIE = cookies.session.name

// Codes, bound states and sessions, made outside any timed region, and the requests the timed
// regions send. Every answer is checked: a benchmark of failures measures nothing.

/** Who accepts at the consent pages: the demo user, or an account that signs in. */
export type Person = { email: string; password: string } | 'demo'

/** A fresh authorization code from the emulator's consent pages (the demo user accepts). */
export async function mintCode(
  emulatorUrl: string,
  state = randomState(),
  person: Person = 'demo',
): Promise<string> {
  const callback = await consentViaHttp(
    buildAuthorizeUrl({
      authorizeUrl: `${emulatorUrl}/oauth2_user/authorize2`,
      clientId: CLIENT.id,
      redirectUri: CLIENT.redirectUri,
      scopes: ['user.metrics', 'user.activity'],
      state,
      demo: person === 'demo',
    }),
    person === 'demo' ? {} : person,
  )
  const code = callback.searchParams.get('code')
  if (!code) throw new Error(`consent gave no code: ${callback}`)
  return code
}

/** A POST to the relay as the SPA makes it, carrying `cookie` (`name=value`) when given. */
export function relayPost(body: unknown, cookie?: string): HttpRequest {
  return {
    method: 'POST',
    headers: pageHeaders(CLIENT.origin, { cookie }),
    body: JSON.stringify(body),
  }
}

/** Withings' token request, form-encoded, with this client's credentials. */
function tokenRequest(params: Record<string, string>): HttpRequest {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      action: 'requesttoken',
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
      ...params,
    }).toString(),
  }
}

export interface PreparedExchange {
  code: string
  state: string
  /** The login cookie that binds `state`, as `name=value`. */
  loginCookie: string
}

/** A state bound at the relay and a code minted for it: everything a timed exchange needs. */
export async function prepareRelayExchange(
  relay: HttpClient,
  emulatorUrl: string,
  person: Person = 'demo',
): Promise<PreparedExchange> {
  const state = randomState()
  const bound = expectStatus(await relay.send('/api/auth/login', relayPost({ state })), 204)
  const login = setCookieValue(bound, LOGIN_COOKIE)
  if (!login) throw new Error('the relay set no login cookie')
  return {
    code: await mintCode(emulatorUrl, state, person),
    state,
    loginCookie: `${LOGIN_COOKIE}=${login}`,
  }
}

/** `POST /api/auth/token` with a prepared exchange; the session cookie it sets. */
export async function exchangeAtRelay(relay: HttpClient, prepared: PreparedExchange) {
  const { code, state, loginCookie } = prepared
  const answer = expectStatus(
    await relay.send('/api/auth/token', relayPost({ code, state }, loginCookie)),
    200,
  )
  const session = setCookieValue(answer, SESSION_COOKIE)
  if (!session) throw new Error('the relay set no session cookie')
  return `${SESSION_COOKIE}=${session}`
}

/** The same exchange sent straight to Withings (the emulator); the refresh token it gives. */
export async function exchangeDirectly(emulator: HttpClient, code: string): Promise<string> {
  return (await tokensDirectly(emulator, code)).refreshToken
}

/** Both tokens of an exchange sent straight to Withings (the emulator). */
export async function tokensDirectly(emulator: HttpClient, code: string) {
  const answer = await emulator.send(
    '/v2/oauth2',
    tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: CLIENT.redirectUri }),
  )
  const refreshToken = refreshTokenOf(answer)
  const { body } = JSON.parse(answer.body) as { body: { access_token: string } }
  return { accessToken: body.access_token, refreshToken }
}

/** A session cookie (`name=value`) for a new virtual client of the relay. */
export async function relaySession(relay: HttpClient, emulatorUrl: string): Promise<string> {
  return exchangeAtRelay(relay, await prepareRelayExchange(relay, emulatorUrl))
}

/**
 * One virtual client refreshing through the relay: a restore of a session that is always due
 * (tokens of one second), each rotating its own session cookie, so no two requests carry the
 * same refresh token and none is answered from the relay's share.
 */
function relayRefresher(relay: HttpClient, session: string): () => Promise<void> {
  let cookie = session
  return async () => {
    const answer = expectStatus(await relay.send('/api/auth/session', relayPost({}, cookie)), 200)
    const rotated = setCookieValue(answer, SESSION_COOKIE)
    if (!rotated) throw new Error('the restore refreshed nothing: is the session not due?')
    cookie = `${SESSION_COOKIE}=${rotated}`
  }
}

/** One virtual client refreshing through a plain proxy: it keeps its refresh token itself. */
function directRefresher(target: HttpClient, refreshToken: string): () => Promise<void> {
  let token = refreshToken
  return async () => {
    const answer = await target.send(
      '/v2/oauth2',
      tokenRequest({ grant_type: 'refresh_token', refresh_token: token }),
    )
    token = refreshTokenOf(answer)
  }
}

function refreshTokenOf(answer: HttpAnswer): string {
  expectStatus(answer, 200)
  const envelope = JSON.parse(answer.body) as { status?: number; body?: { refresh_token?: string } }
  const token = envelope.body?.refresh_token
  if (envelope.status !== 0 || !token) throw new Error(`Withings refused: ${answer.body}`)
  return token
}

function expectStatus(answer: HttpAnswer, status: number): HttpAnswer {
  if (answer.status !== status) {
    throw new Error(`expected HTTP ${status}, got ${answer.status}: ${answer.body.slice(0, 300)}`)
  }
  return answer
}

/** `count` virtual clients of the relay, each with a session of its own (made now, untimed). */
export async function relayClients(relay: HttpClient, emulatorUrl: string, count: number) {
  const clients: (() => Promise<void>)[] = []
  for (let i = 0; i < count; i++) {
    clients.push(relayRefresher(relay, await relaySession(relay, emulatorUrl)))
  }
  return clients
}

/** `count` virtual clients of a plain proxy, each with a refresh token of its own. */
export async function proxyClients(proxy: HttpClient, emulatorUrl: string, count: number) {
  const emulator = createHttpClient(emulatorUrl)
  try {
    const clients: (() => Promise<void>)[] = []
    for (let i = 0; i < count; i++) {
      const refreshToken = await exchangeDirectly(emulator, await mintCode(emulatorUrl))
      clients.push(directRefresher(proxy, refreshToken))
    }
    return clients
  } finally {
    emulator.close()
  }
}
