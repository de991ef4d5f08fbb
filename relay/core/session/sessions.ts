import type { Context } from 'hono'
import { encodeBase64url, type SessionView } from '../../contract/wire-contract'
import type { Session, SessionCookie, SessionHandle } from '../cookies/session-cookie'
import { errorKind } from '../error-kind'
import { RelayError } from '../errors'
import type { Logger } from '../http/request-log'
import type { SharedStore } from '../store/shared-store'
import type { TokenVault } from '../sync/sync-port'
import type { WithingsTokens } from '../withings/token-client'
import { endedKey, generationKey, storedNumber } from './person-generation'
import { createVaultTokens, refreshMargin, type VaultKeeper } from './vault-tokens'

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
  /** Without a vault, both tokens live sealed in this cookie (the cookie-only kit). */
  cookie: SessionCookie
  /** With sync on: the tokens live in the vault, and the cookie (`handle`) names the session. */
  vault?: { vault: TokenVault; handle: SessionCookie<SessionHandle> } | undefined
  /** One refresh-token grant at Withings (shared between concurrent requests of one session). */
  refresh: (refreshToken: string) => Promise<WithingsTokens>
  store: SharedStore
  lifetimeSeconds: number
  /** Told whenever sessions end, so that their live streams close on every instance. */
  ended: (end: SessionEnd) => void
  now: () => number
  log: Logger
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

/** Where the tokens live: the cookie, or the vault behind a handle. */
interface Keeper {
  begin(c: Context, session: Session): Promise<void>
  read(c: Context): Promise<SessionHandle | null>
  /** The session's tokens; null when the vault holds none any more (ended, or refused). */
  tokensOf(handle: SessionHandle): Promise<Session | null>
  renew(c: Context, session: Session): Promise<Session>
}

export function createSessions(options: SessionsOptions): Sessions {
  const { refresh, store, lifetimeSeconds, ended, now, log } = options
  const cookie: Pick<SessionCookie, 'clear'> = options.vault?.handle ?? options.cookie
  const seconds = () => Math.floor(now() / 1000)
  const kept = { ttlMs: lifetimeSeconds * 1000, kept: true }
  const keeper = options.vault
    ? vaultKeeper(
        options.vault.handle,
        createVaultTokens({ vault: options.vault.vault, refresh, now }),
      )
    : cookieKeeper(options.cookie)

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
      log({ level: 'warn', msg: 'ended-session check skipped', cause: errorKind(cause) })
      return undefined
    }
  }

  /** The next sign-in number; 0 (ended by any Disconnect of the person) when none can be had. */
  const nextGeneration = async (userid: string) => {
    try {
      return await store.increment(generationKey(userid), kept)
    } catch (cause) {
      log({ level: 'warn', msg: 'sign-in not numbered', cause: errorKind(cause) })
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
      await keeper.begin(c, session)
      return session
    },

    async current(c) {
      const handle = await keeper.read(c)
      if (!handle) throw expired(c, 'There is no session: connect again.')
      if (handle.endsAt <= seconds()) {
        throw expired(c, 'This session reached its lifetime: connect again.')
      }
      const through = await endedThrough(handle.userid)
      if (through !== undefined && handle.gen <= through) {
        throw expired(c, 'This session was disconnected.')
      }
      const session = await keeper.tokensOf(handle)
      if (!session) throw expired(c, 'Withings no longer accepts this connection: connect again.')
      return session
    },

    async usable(c, session, { force = false } = {}) {
      if (!force && seconds() < session.refreshAt) return { session, refreshed: false }
      try {
        return { session: await keeper.renew(c, session), refreshed: true }
      } catch (error) {
        // Only a refusal of the refresh token ends the session; a passing fault never does.
        if (error instanceof RelayError && error.code === 'session_expired') discard(c, session)
        throw error
      }
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

  function cookieKeeper(sessionCookie: SessionCookie): Keeper {
    return {
      begin: (c, session) => sessionCookie.write(c, session),
      read: (c) => sessionCookie.read(c),
      tokensOf: async (handle) => handle as Session,
      async renew(c, session) {
        // Withings returns a new refresh token every time: always keep the new one.
        const renewed = withTokens(session, await refresh(session.refreshToken))
        await sessionCookie.write(c, renewed)
        return renewed
      },
    }
  }

  function vaultKeeper(handle: SessionCookie<SessionHandle>, tokens: VaultKeeper): Keeper {
    const sessionOf = (session: SessionHandle, held: Awaited<ReturnType<VaultKeeper['read']>>) =>
      held && {
        ...session,
        scope: held.scope,
        accessToken: held.accessToken,
        refreshToken: held.refreshToken,
        accessExpiresAt: held.accessExpiresAt,
        refreshAt: held.refreshAt,
      }
    return {
      async begin(c, session) {
        const { userid, scope, accessToken, refreshToken, accessExpiresAt, refreshAt } = session
        await tokens.save({ userid, scope, accessToken, refreshToken, accessExpiresAt, refreshAt })
        await handle.write(c, session)
      },
      read: (c) => handle.read(c),
      tokensOf: async (session) => sessionOf(session, await tokens.read(session.userid)),
      // The cookie stays as it is: it holds no token.
      renew: async (_, session) =>
        sessionOf(session, await tokens.renew(session.userid, session.accessToken)) as Session,
    }
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
