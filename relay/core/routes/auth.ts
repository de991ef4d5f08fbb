import { type Context, Hono } from 'hono'
import type { LogoutResult } from '../../contract/wire-contract'
import type { LoginCookie } from '../cookies/login-cookie'
import type { Session } from '../cookies/session-cookie'
import { RelayError, TokensTooLong } from '../errors'
import { codeField, onlyFields, stateField } from '../http/fields'
import { readJsonObject } from '../http/json-body'
import type { Logger } from '../http/request-log'
import type { ExchangeCount } from '../limits/app-budget'
import type { SpentStates } from '../limits/spent-states'
import type { RevokeTickets, Ticket } from '../session/revoke-tickets'
import { type SessionEnv, sessionContext } from '../session/session-context'
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
  /**
   * Counts the exchange in the app's Withings budget and, until told it was not refused, against
   * the client asking; or throws relay_busy or sign_ins_limited.
   */
  countExchange: (c: Context) => Promise<ExchangeCount>
  revokeTickets: RevokeTickets
  /** What else follows a session's life: notifications. */
  live: SessionHooks
  now: () => number
  log: Logger
}

export interface SessionHooks {
  /** A code exchange began this session (the answer must not wait for what follows). */
  begun(session: Session): void
  /** A page restored this session. */
  restored(session: Session): Promise<void>
  /**
   * Disconnect ended it; `withingsInformed` when the revoke reached Withings, `deleteData` when
   * the person asked that their stored data go too (sync on).
   */
  ended(
    session: Session,
    outcome: { withingsInformed: boolean; deleteData: boolean },
  ): Promise<void>
}

/** `/api/auth/*`: bind a state, exchange a code, restore the session, disconnect. */
export function authRoutes(options: AuthRoutesOptions): Hono<SessionEnv> {
  const { redirectUri, tokenClient, loginCookie, sessions, spentStates, now, log } = options
  const { revokeTickets, revokeGrant, countExchange, live } = options
  const noSession = (c: Context) => c.body(null, 204)

  /**
   * Tells Withings, once. Failing to is the answer, not an error: the cookies are gone anyway,
   * and a passing failure at Withings comes with the next ticket to try again from the page. The
   * relay's own budget (relay_busy) is thrown: no ticket is made for it.
   */
  const revoke = async (ticket: Ticket): Promise<LogoutResult> => {
    try {
      await revokeGrant(ticket.userid)
    } catch (error) {
      if (!(error instanceof RelayError)) throw error
      log({ level: 'warn', msg: 'revoke not delivered', code: error.code })
      if (error.code === 'relay_busy') throw error
      if (!error.retryable) return { withings_informed: false }
      return {
        withings_informed: false,
        revoke_ticket: await revokeTickets.next(ticket),
        ...(error.retryAfter !== undefined && { retry_after: error.retryAfter }),
      }
    }
    await revokeTickets.told(ticket.userid)
    return { withings_informed: true }
  }

  /** A grant whose tokens the relay cannot keep: undone at once, or the operator is told. */
  const undo = async (error: unknown) => {
    if (!(error instanceof TokensTooLong)) return
    await revokeGrant(error.userid).catch((cause: unknown) => {
      log({
        level: 'error',
        msg: 'grant with overlong tokens not revoked',
        code: cause instanceof RelayError ? cause.code : 'internal_error',
      })
    })
  }

  return (
    new Hono<SessionEnv>()
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
        // The limits first: a request they refuse leaves nothing in the store.
        const counted = await countExchange(c)
        // …then single use from every copy of the cookie, on every instance.
        await spentStates.spend(state).catch(async (error: unknown) => {
          await counted.notRefused()
          throw error
        })
        const started = now()
        let tokens: WithingsTokens
        try {
          tokens = await tokenClient.request({ type: 'authorization_code', code, redirectUri })
        } catch (error) {
          // Only a code Withings refused counts against the client.
          if (!(error instanceof RelayError && error.code === 'code_expired')) {
            await counted.notRefused()
          }
          await undo(error)
          throw error
        } finally {
          log({
            level: 'info',
            msg: 'code exchange',
            id: c.get('requestId'),
            ms: now() - started,
            budgetMs: 30_000,
          })
        }
        await counted.notRefused()
        const session = await sessions.begin(c, tokens).catch(async (error: unknown) => {
          await undo(error)
          throw error
        })
        live.begun(session)
        return c.json(sessionView(session))
      })

      // A reload or a new tab: the session as it is, refreshed only once its refresh moment came.
      // No live session is an ordinary answer here (204), not an error: every first visit asks.
      .post('/session', sessionContext(sessions, { without: noSession }), async (c) => {
        const session = c.get('session')
        await live.restored(session)
        return c.json(sessionView(session))
      })

      // `{"delete_data": true}`: "Disconnect and delete my data" (sync on).
      .post(
        '/logout',
        async (c, next) => {
          deleteDataOf(await readJsonObject(c, { optional: true }))
          loginCookie.clear(c)
          return next()
        },
        sessionContext(sessions, { refresh: false, without: noSession }),
        async (c) => {
          const session = c.get('session')
          const { generation } = await sessions.end(c, session)
          const ticket = { userid: session.userid, session: session.id, generation, attempt: 0 }
          const result = await revoke(ticket).catch((error: unknown) => {
            if (!(error instanceof RelayError && error.code === 'relay_busy')) throw error
            const wait = error.retryAfter
            return { withings_informed: false, ...(wait !== undefined && { retry_after: wait }) }
          })
          await live.ended(session, {
            withingsInformed: result.withings_informed,
            // Read again: the body was checked before the session ended.
            deleteData: deleteDataOf(await readJsonObject(c, { optional: true })),
          })
          return c.json(result)
        },
      )

      // The page retries a revoke that did not reach Withings, with the ticket the logout gave it.
      .post('/revoke', async (c) => {
        const body = await readJsonObject(c)
        onlyFields(body, ['ticket'])
        const ticket = await revokeTickets.redeem(body.ticket)
        return c.json(
          await revoke(ticket).catch(async (error: unknown) => {
            await ticket.unspend()
            throw error
          }),
        )
      })
  )
}

/** Logout's one optional field. */
function deleteDataOf(body: Record<string, unknown>): boolean {
  onlyFields(body, ['delete_data'])
  if (body.delete_data !== undefined && typeof body.delete_data !== 'boolean') {
    throw new RelayError('bad_request', "'delete_data' must be true or false.")
  }
  return body.delete_data === true
}
