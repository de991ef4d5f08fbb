import type { Context } from 'hono'
import { encodeBase64url, type SessionView } from '../../contract/wire-contract'
import type { Session, SessionCookie } from '../cookies/session-cookie'
import { errorKind } from '../error-kind'
import { RelayError } from '../errors'
import type { Logger } from '../http/request-log'
import type { SharedStore } from '../store/shared-store'
import type { WithingsTokens } from '../withings/token-client'

// A session's life: begun by a code exchange, refreshed near the access token's expiry (never
// before: Withings asks that refresh tokens be used once the access token has expired, and counts
// refreshes in the app's 120 requests a minute), ended by Disconnect or by its absolute lifetime.
// A disconnected session's id is remembered until its lifetime would have ended, so a copy of the
// cookie taken before Disconnect opens nothing afterwards, even when Withings could not be told.

export interface Sessions {
  /** Seals the session a code exchange began; its lifetime starts now. */
  begin(c: Context, tokens: WithingsTokens): Promise<Session>
  /** The request's live session, or session_expired (and the cookie cleared). */
  current(c: Context): Promise<Session>
  /**
   * The session with an access token good for a while: refreshed first once its refresh moment
   * has come (or when `force`, after Withings refused the token), the cookie rewritten.
   */
  usable(c: Context, session: Session, options?: { force?: boolean }): Promise<UsableSession>
  /** Forgets the session: its id is remembered as ended, its cookie cleared. */
  end(c: Context, session: Session): Promise<void>
  /** Clears the cookie of a session Withings no longer accepts. */
  discard(c: Context): void
}

interface UsableSession {
  session: Session
  /** True when this call refreshed the access token. */
  refreshed: boolean
}

interface SessionsOptions {
  cookie: SessionCookie
  /** One refresh-token grant at Withings (shared between concurrent requests of one session). */
  refresh: (refreshToken: string) => Promise<WithingsTokens>
  store: SharedStore
  lifetimeSeconds: number
  now: () => number
  log: Logger
}

/** Refresh a little before expiry: a tenth of the token's life, between 1 s and 5 minutes. */
function refreshMargin(expiresInSeconds: number): number {
  return Math.min(300, Math.max(1, Math.floor(expiresInSeconds / 10)))
}

export function sessionView(session: Session): SessionView {
  return {
    userid: session.userid,
    scope: session.scope,
    expires_at: session.accessExpiresAt,
    refresh_at: session.refreshAt,
    session_ends_at: session.endsAt,
  }
}

const endedKey = (id: string) => `ended-session:${id}`

export function createSessions(options: SessionsOptions): Sessions {
  const { cookie, refresh, store, lifetimeSeconds, now, log } = options
  const seconds = () => Math.floor(now() / 1000)

  const withTokens = (session: Omit<Session, TokenFields>, tokens: WithingsTokens): Session => ({
    ...session,
    userid: tokens.userid,
    scope: tokens.scope,
    accessToken: tokens.accessToken,
    accessExpiresAt: seconds() + tokens.expiresIn,
    refreshAt: seconds() + tokens.expiresIn - refreshMargin(tokens.expiresIn),
    refreshToken: tokens.refreshToken,
  })

  const expired = (c: Context, why: string) => {
    cookie.clear(c)
    return new RelayError('session_expired', why)
  }

  // A store that cannot be reached must not end every session: Withings' revoke is the first
  // line, this memory the second.
  const wasEnded = (id: string) =>
    store.has(endedKey(id)).catch((cause: unknown) => {
      log({ level: 'warn', msg: 'ended-session check skipped', cause: errorKind(cause) })
      return false
    })

  return {
    async begin(c, tokens) {
      const loginAt = seconds()
      const session = withTokens(
        { id: randomId(), loginAt, endsAt: loginAt + lifetimeSeconds },
        tokens,
      )
      await cookie.write(c, session)
      return session
    },

    async current(c) {
      const session = await cookie.read(c)
      if (!session) throw expired(c, 'There is no session: connect again.')
      if (session.endsAt <= seconds()) {
        throw expired(c, 'This session reached its lifetime: connect again.')
      }
      if (await wasEnded(session.id)) throw expired(c, 'This session was disconnected.')
      return session
    },

    async usable(c, session, { force = false } = {}) {
      if (!force && seconds() < session.refreshAt) return { session, refreshed: false }
      let tokens: WithingsTokens
      try {
        tokens = await refresh(session.refreshToken)
      } catch (error) {
        // Only a refusal of the refresh token ends the session; a passing fault never does.
        if (error instanceof RelayError && error.code === 'session_expired') cookie.clear(c)
        throw error
      }
      // Withings returns a new refresh token every time: always keep the new one.
      const renewed = withTokens(session, tokens)
      await cookie.write(c, renewed)
      return { session: renewed, refreshed: true }
    },

    discard: (c) => cookie.clear(c),

    async end(c, session) {
      cookie.clear(c)
      const ttlMs = Math.max(1, session.endsAt - seconds()) * 1000
      await store.claim(endedKey(session.id), ttlMs).catch((cause: unknown) => {
        log({ level: 'warn', msg: 'ended session not remembered', cause: errorKind(cause) })
      })
    },
  }
}

type TokenFields =
  | 'userid'
  | 'scope'
  | 'accessToken'
  | 'accessExpiresAt'
  | 'refreshAt'
  | 'refreshToken'

function randomId(): string {
  return encodeBase64url(crypto.getRandomValues(new Uint8Array(16)))
}
