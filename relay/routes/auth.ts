import { type Context, Hono } from 'hono'
import type { TokenView } from '../contract'
import type { LoginCookie } from '../cookies/login-cookie'
import type { SessionCookie } from '../cookies/session-cookie'
import { RelayError } from '../errors'
import { codeField, onlyFields, stateField } from '../http/fields'
import { readJsonObject } from '../http/json-body'
import type { Logger, RelayEnv } from '../http/request-log'
import type { TokenClient, WithingsTokens } from '../withings/token-client'
import { sharedRefresh } from './shared-refresh'

export interface AuthRoutesOptions {
  redirectUri: string
  tokenClient: TokenClient
  loginCookie: LoginCookie
  sessionCookie: SessionCookie
  now: () => number
  log: Logger
}

/** `/api/auth/*`: bind a state, exchange a code, refresh, log out (DESIGN §3). */
export function authRoutes(options: AuthRoutesOptions): Hono<RelayEnv> {
  const { redirectUri, tokenClient, loginCookie, sessionCookie, now, log } = options
  const seconds = () => Math.floor(now() / 1000)
  const refreshOnce = sharedRefresh(
    (refreshToken) => tokenClient.request({ type: 'refresh_token', refreshToken }),
    now,
  )

  /** Seals the (new) refresh token into the session cookie; the page gets only the token view. */
  const answerWithSession = async (c: Context<RelayEnv>, tokens: WithingsTokens) => {
    await sessionCookie.write(c, {
      refreshToken: tokens.refreshToken,
      userid: tokens.userid,
      scope: tokens.scope,
      issuedAt: seconds(),
    })
    const view: TokenView = {
      access_token: tokens.accessToken,
      token_type: 'Bearer',
      expires_at: seconds() + tokens.expiresIn,
      scope: tokens.scope,
      userid: tokens.userid,
    }
    return c.json(view)
  }

  return new Hono<RelayEnv>()
    .post('/login', async (c) => {
      const body = await readJsonObject(c)
      onlyFields(body, ['state'])
      await loginCookie.bind(c, stateField(body))
      return c.body(null, 204)
    })

    .post('/token', async (c) => {
      const body = await readJsonObject(c)
      onlyFields(body, ['code', 'state'])
      const code = codeField(body)
      const state = stateField(body)
      // Single use: the state leaves the cookie before the exchange, whatever its outcome.
      const consumed = await loginCookie.consume(c, state)
      if (consumed === 'no_cookie') {
        throw new RelayError(
          'login_cookie_missing',
          'The browser sent no login cookie: it did not keep it (private browsing, blocked cookies, or the app opened at another address than its own).',
        )
      }
      if (consumed === 'not_pending') {
        throw new RelayError(
          'invalid_state',
          'This sign-in was not started in this browser, was already used, or is older than 10 minutes.',
        )
      }
      const started = now()
      let tokens: WithingsTokens
      try {
        tokens = await tokenClient.request({ type: 'authorization_code', code, redirectUri })
      } finally {
        log({
          level: 'info',
          msg: 'code exchange',
          id: c.get('requestId'),
          ms: now() - started,
          budgetMs: 30_000,
        })
      }
      return answerWithSession(c, tokens)
    })

    .post('/refresh', async (c) => {
      const session = await sessionCookie.read(c)
      if (!session) {
        sessionCookie.clear(c)
        throw new RelayError('session_expired', 'There is no session to refresh: connect again.')
      }
      let tokens: WithingsTokens
      try {
        tokens = await refreshOnce(session.refreshToken)
      } catch (error) {
        // Only a refusal of the refresh token ends the session; a passing fault never does.
        if (error instanceof RelayError && error.code === 'session_expired') sessionCookie.clear(c)
        throw error
      }
      // Withings returns a new refresh token every time: always keep the new one.
      return answerWithSession(c, tokens)
    })

    .post('/logout', (c) => {
      sessionCookie.clear(c)
      loginCookie.clear(c)
      return c.body(null, 204)
    })
}
