import type { Context } from 'hono'
import { encodeBase64url, type SessionView } from '../../contract/contract'
import type { Session, SessionCookie } from '../cookies/session-cookie'
import { RelayError } from '../errors'
import type { Logger } from '../http/request-log'
import type { SharedStore } from '../store/shared-store'
import type { WithingsTokens } from '../withings/token-client'
import { endedKey, generationKey, storedNumber } from './person-generation'

// A session's life: begun by a code exchange, refreshed near the access token's expiry (never
// before: Withings asks that refresh tokens be used once the access token has expired, and counts
// refreshes in the app's 120 requests a minute), ended by Disconnect, by Withings refusing its
// refresh, or by its absolute lifetime. What Disconnect ended is remembered in the shared store
// per person (person-generation.ts), so a copy of the cookie taken before opens nothing
// afterwards, on any instance, even when Withings could not be told; and when that cannot be
// recorded, Disconnect says so rather than pretend.

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
  /**
   * Ends every session of this person begun so far, then clears the cookie; answers the person's
   * sign-in number it read. Throws disconnect_incomplete (the cookie kept) when the store cannot
   * record it.
   */
  end(c: Context, session: Session): Promise<{ generation: number }>
  /** Clears the cookie of a session Withings no longer accepts, and says it ended. */
  discard(c: Context, session: Session): void
  /** The sign-in number through which this person's sessions were ended; undefined for none or unknown. */
  endedThrough(userid: string): Promise<number | undefined>
}

interface UsableSession {
  session: Session
  /** True when this call refreshed the access token. */
  refreshed: boolean
}

/** A session ended: its own (`session`), or every one of the person's through `upTo`. */
export interface SessionEnd {
  userid: string
  session: string
  upTo?: number
}

interface SessionsOptions {
  cookie: SessionCookie
  /** One refresh-token grant at Withings (shared between concurrent requests of one session). */
  refresh: (refreshToken: string) => Promise<WithingsTokens>
  store: SharedStore
  lifetimeSeconds: number
  /** Told whenever sessions end, so that their live streams close on every instance. */
  ended: (end: SessionEnd) => void
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

export function createSessions(options: SessionsOptions): Sessions {
  const { cookie, refresh, store, lifetimeSeconds, ended, now, log } = options
  const seconds = () => Math.floor(now() / 1000)
  const kept = { ttlMs: lifetimeSeconds * 1000, kept: true }

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
  const endedThrough = async (userid: string) => {
    try {
      return storedNumber(await store.get(endedKey(userid)))
    } catch (cause) {
      log({ level: 'warn', msg: 'ended-session check skipped', cause: nameOf(cause) })
      return undefined
    }
  }

  /** The next sign-in number; 0 (ended by any Disconnect of the person) when none can be had. */
  const nextGeneration = async (userid: string) => {
    try {
      return await store.increment(generationKey(userid), kept)
    } catch (cause) {
      log({ level: 'warn', msg: 'sign-in not numbered', cause: nameOf(cause) })
      return 0
    }
  }

  return {
    async begin(c, tokens) {
      const loginAt = seconds()
      const session = withTokens(
        {
          id: randomId(),
          gen: await nextGeneration(tokens.userid),
          loginAt,
          endsAt: loginAt + lifetimeSeconds,
        },
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
      const through = await endedThrough(session.userid)
      if (through !== undefined && session.gen <= through) {
        throw expired(c, 'This session was disconnected.')
      }
      return session
    },

    async usable(c, session, { force = false } = {}) {
      if (!force && seconds() < session.refreshAt) return { session, refreshed: false }
      let tokens: WithingsTokens
      try {
        tokens = await refresh(session.refreshToken)
      } catch (error) {
        // Only a refusal of the refresh token ends the session; a passing fault never does.
        if (error instanceof RelayError && error.code === 'session_expired') discard(c, session)
        throw error
      }
      // Withings returns a new refresh token every time: always keep the new one.
      const renewed = withTokens(session, tokens)
      await cookie.write(c, renewed)
      return { session: renewed, refreshed: true }
    },

    discard: (c, session) => discard(c, session),

    async end(c, session) {
      const { userid } = session
      let generation: number
      let upTo: number
      try {
        generation = storedNumber(await store.get(generationKey(userid))) ?? 0
        upTo = Math.max(generation, session.gen)
        // Two Disconnects of one person racing may write an older number last; both ended the
        // session they came from, and Withings' revoke ended the rest.
        await store.set(endedKey(userid), String(upTo), kept)
      } catch (cause) {
        throw new RelayError(
          'disconnect_incomplete',
          'Disconnect could not record the end of this session just now: try again.',
          { cause, retryAfter: 2 },
        )
      }
      cookie.clear(c)
      ended({ userid, session: session.id, upTo })
      return { generation }
    },

    endedThrough,
  }

  function discard(c: Context, session: Session) {
    cookie.clear(c)
    ended({ userid: session.userid, session: session.id })
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

const nameOf = (cause: unknown) => (cause instanceof Error ? cause.name : 'Error')
