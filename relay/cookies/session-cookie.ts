import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { Sealer } from '../seal'
import type { CookieSpec } from './cookie-policy'

// The session cookie is the only place the refresh token lives. SameSite=Strict: only the
// app's own pages send it. Its life is capped by the refresh token's (one year at Withings).

export const SESSION_SECONDS = 365 * 24 * 3600

export interface Session {
  refreshToken: string
  userid: string
  scope: string
  /** When the refresh token was issued, seconds since the epoch. */
  issuedAt: number
}

/** Versioned so that a future format can read (or cleanly refuse) today's cookies. */
interface SessionV1 {
  v: 1
  rt: string
  uid: string
  sc: string
  iat: number
}

export interface SessionCookie {
  read(c: Context): Promise<Session | null>
  write(c: Context, session: Session): Promise<void>
  clear(c: Context): void
}

export function createSessionCookie(sealer: Sealer, cookie: CookieSpec): SessionCookie {
  return {
    async read(c) {
      const sealed = getCookie(c, cookie.name)
      if (!sealed) return null
      const opened = await sealer.unseal(cookie.name, sealed)
      return opened ? fromV1(opened.value) : null
    },
    async write(c, session) {
      const value: SessionV1 = {
        v: 1,
        rt: session.refreshToken,
        uid: session.userid,
        sc: session.scope,
        iat: session.issuedAt,
      }
      const sealed = await sealer.seal(cookie.name, value, SESSION_SECONDS)
      setCookie(c, cookie.name, sealed, cookie.options(SESSION_SECONDS))
    },
    clear(c) {
      deleteCookie(c, cookie.name, cookie.options(0))
    },
  }
}

function fromV1(value: unknown): Session | null {
  if (typeof value !== 'object' || value === null) return null
  const { v, rt, uid, sc, iat } = value as Record<string, unknown>
  if (v !== 1 || typeof rt !== 'string' || typeof uid !== 'string') return null
  if (typeof sc !== 'string' || typeof iat !== 'number') return null
  return { refreshToken: rt, userid: uid, scope: sc, issuedAt: iat }
}
