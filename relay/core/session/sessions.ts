import type { Context } from 'hono'
import { encodeBase64url, type SessionView } from '../../contract/contract'
import type { Session, SessionCookie, SessionHandle } from '../cookies/session-cookie'
import { RelayError } from '../errors'
import type { Logger } from '../http/request-log'
import type { SharedStore } from '../store/shared-store'
import type { TokenVault } from '../sync/sync-port'
import type { WithingsTokens } from '../withings/token-client'
import { createVaultTokens, refreshMargin, type VaultKeeper } from './vault-tokens'

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
  /** Without a vault, both tokens live sealed in this cookie (the cookie-only kit). */
  cookie: SessionCookie
  /**
   * With sync on: the tokens live in the vault, and the cookie (`handle`) names the session only.
   */
  vault?: { vault: TokenVault; handle: SessionCookie<SessionHandle> } | undefined
  /** One refresh-token grant at Withings (shared between concurrent requests of one session). */
  refresh: (refreshToken: string) => Promise<WithingsTokens>
  store: SharedStore
  lifetimeSeconds: number
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

const endedKey = (id: string) => `ended-session:${id}`

/** Where the tokens live: the cookie, or the vault behind a handle. */
interface Keeper {
  begin(c: Context, session: Session): Promise<void>
  read(c: Context): Promise<SessionHandle | null>
  /** The session's tokens; null when the vault holds none any more (ended, or refused). */
  tokensOf(handle: SessionHandle): Promise<Session | null>
  renew(c: Context, session: Session): Promise<Session>
}

export function createSessions(options: SessionsOptions): Sessions {
  const { refresh, store, lifetimeSeconds, now, log } = options
  const seconds = () => Math.floor(now() / 1000)
  const cookie: Pick<SessionCookie, 'clear'> = options.vault?.handle ?? options.cookie
  const keeper = options.vault
    ? vaultKeeper(options.vault, createVaultTokens({ vault: options.vault.vault, refresh, now }))
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
  const wasEnded = (id: string) =>
    store.has(endedKey(id)).catch((cause: unknown) => {
      log({ level: 'warn', msg: 'ended-session check skipped', cause: nameOf(cause) })
      return false
    })

  return {
    async begin(c, tokens) {
      const loginAt = seconds()
      const session = withTokens(
        { id: randomId(), loginAt, endsAt: loginAt + lifetimeSeconds },
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
      if (await wasEnded(handle.id)) throw expired(c, 'This session was disconnected.')
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
        if (error instanceof RelayError && error.code === 'session_expired') cookie.clear(c)
        throw error
      }
    },

    discard: (c) => cookie.clear(c),

    async end(c, session) {
      cookie.clear(c)
      const ttlMs = Math.max(1, session.endsAt - seconds()) * 1000
      await store.claim(endedKey(session.id), ttlMs).catch((cause: unknown) => {
        log({ level: 'warn', msg: 'ended session not remembered', cause: nameOf(cause) })
      })
    },
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

  function vaultKeeper(
    { handle }: { handle: SessionCookie<SessionHandle> },
    tokens: VaultKeeper,
  ): Keeper {
    const sessionOf = (session: SessionHandle, kept: Awaited<ReturnType<VaultKeeper['read']>>) =>
      kept && {
        ...session,
        scope: kept.scope,
        accessToken: kept.accessToken,
        refreshToken: kept.refreshToken,
        accessExpiresAt: kept.accessExpiresAt,
        refreshAt: kept.refreshAt,
      }
    return {
      async begin(c, session) {
        const { userid, scope, accessToken, refreshToken, accessExpiresAt, refreshAt } = session
        await tokens.save({ userid, scope, accessToken, refreshToken, accessExpiresAt, refreshAt })
        await handle.write(c, session)
      },
      read: (c) => handle.read(c),
      tokensOf: async (session) => sessionOf(session, await tokens.read(session.userid)),
      async renew(_, session) {
        // The cookie stays as it is: it holds no token.
        return sessionOf(
          session,
          await tokens.renew(session.userid, session.accessToken),
        ) as Session
      },
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

const nameOf = (cause: unknown) => (cause instanceof Error ? cause.name : 'Error')
