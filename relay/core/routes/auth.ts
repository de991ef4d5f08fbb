import { type Context, Hono } from 'hono'
import type { LogoutResult } from '../../contract/wire-contract'
import type { LoginCookie } from '../cookies/login-cookie'
import type { Session } from '../cookies/session-cookie'
import { RelayError } from '../errors'
import { codeField, onlyFields, stateField } from '../http/fields'
import { readJsonObject } from '../http/json-body'
import type { Logger, RelayEnv } from '../http/request-log'
import type { SpentStates } from '../limits/spent-states'
import type { RevokeTickets } from '../session/revoke-tickets'
import { type Sessions, sessionView } from '../session/sessions'
import type { TokenClient, WithingsTokens } from '../withings/token-client'

interface AuthRoutesOptions {
  redirectUri: string
  tokenClient: TokenClient
  /** Revokes the app's access to a person at Withings (signed), or throws a RelayError. */
  revokeGrant: (userid: string) => Promise<void>
  loginCookie: LoginCookie
  sessions: Sessions
  spentStates: SpentStates
  /** Counts the exchange in the app's Withings budget, against the client asking, or throws. */
  countExchange: (c: Context) => Promise<void>
  revokeTickets: RevokeTickets
  /** What else follows a session's life: notifications and the live streams. */
  live: SessionHooks
  now: () => number
  log: Logger
}

export interface SessionHooks {
  /** A code exchange began this session (the answer must not wait for what follows). */
  begun(session: Session): void
  /** A page restored this session. */
  restored(session: Session): Promise<void>
  /** Disconnect ended it; `withingsInformed` when the revoke reached Withings. */
  ended(session: Session, withingsInformed: boolean): Promise<void>
}

/** `/api/auth/*`: bind a state, exchange a code, restore the session, disconnect. */
export function authRoutes(options: AuthRoutesOptions): Hono<RelayEnv> {
  const { redirectUri, tokenClient, loginCookie, sessions, spentStates, now, log } = options
  const { revokeTickets, revokeGrant, countExchange, live } = options

  /**
   * Tells Withings, once. Failing to is the answer, not an error: the cookies are gone anyway,
   * and a passing failure comes with a ticket to try again from the page.
   */
  const revoke = async (userid: string): Promise<LogoutResult> => {
    try {
      await revokeGrant(userid)
      return { withings_informed: true }
    } catch (error) {
      if (!(error instanceof RelayError)) throw error
      log({ level: 'warn', msg: 'revoke not delivered', code: error.code })
      if (!error.retryable) return { withings_informed: false }
      return {
        withings_informed: false,
        revoke_ticket: await revokeTickets.issue(userid),
        ...(error.retryAfter !== undefined && { retry_after: error.retryAfter }),
      }
    }
  }

  return (
    new Hono<RelayEnv>()
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
        // …and from every copy of the cookie, on every instance.
        await spentStates.spend(state)
        await countExchange(c)
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
        const session = await sessions.begin(c, tokens)
        live.begun(session)
        return c.json(sessionView(session))
      })

      // A reload or a new tab: the session as it is, refreshed only once its refresh moment came.
      // No live session is an ordinary answer here (204), not an error: every first visit asks.
      .post('/session', async (c) => {
        try {
          const { session } = await sessions.usable(c, await sessions.current(c))
          await live.restored(session)
          return c.json(sessionView(session))
        } catch (error) {
          if (error instanceof RelayError && error.code === 'session_expired') {
            return c.body(null, 204)
          }
          throw error
        }
      })

      .post('/logout', async (c) => {
        loginCookie.clear(c)
        const session = await sessions.current(c).catch(() => null)
        if (!session) return c.body(null, 204)
        await sessions.end(c, session)
        const result = await revoke(session.userid)
        await live.ended(session, result.withings_informed)
        return c.json(result)
      })

      // The page retries a revoke that did not reach Withings, with the ticket the logout gave it.
      .post('/revoke', async (c) => {
        const body = await readJsonObject(c)
        onlyFields(body, ['ticket'])
        const userid = await revokeTickets.open(body.ticket)
        return c.json(await revoke(userid))
      })
  )
}
