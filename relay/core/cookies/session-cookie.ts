import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { Sealer } from '../seal'
import type { CookieSpec } from './cookie-policy'

// The session cookie is the only place both Withings tokens live, sealed: the page never sees
// either (Withings refuses browser calls, so it has no use for one). SameSite=Strict: only the
// app's own pages send it. It ends with the session's absolute lifetime, counted from the login.

export interface Session {
  /** Random, names this session for the revoked-session memory; no token. */
  id: string
  userid: string
  scope: string
  accessToken: string
  /** Seconds since the epoch: when the access token stops working. */
  accessExpiresAt: number
  /** Seconds since the epoch: from then on, requests refresh the access token first. */
  refreshAt: number
  refreshToken: string
  /** Seconds since the epoch: when the person connected. Refreshes keep it. */
  loginAt: number
  /** Seconds since the epoch: the session's absolute end. */
  endsAt: number
}

/**
 * With sync on, the tokens live in the database's vault and the cookie is only a handle to the
 * session: who, since when, until when; no Withings token.
 */
export type SessionHandle = Pick<Session, 'id' | 'userid' | 'scope' | 'loginAt' | 'endsAt'>

/** Versioned so that a future format can read (or cleanly refuse) today's cookies. */
const VERSION = 2
/** The handle's format: a v2 cookie never opens as a handle, nor a handle as a v2 session. */
const HANDLE_VERSION = 3

export interface SessionCookie<S extends SessionHandle = Session> {
  read(c: Context): Promise<S | null>
  write(c: Context, session: S): Promise<void>
  clear(c: Context): void
}

export function createSessionCookie(
  sealer: Sealer,
  cookie: CookieSpec,
  now: () => number,
): SessionCookie {
  return sealedSession(sealer, cookie, now, VERSION, parseSession, (session) => session)
}

export function createHandleCookie(
  sealer: Sealer,
  cookie: CookieSpec,
  now: () => number,
): SessionCookie<SessionHandle> {
  return sealedSession(sealer, cookie, now, HANDLE_VERSION, parseHandle, (handle) => ({
    id: handle.id,
    userid: handle.userid,
    scope: handle.scope,
    loginAt: handle.loginAt,
    endsAt: handle.endsAt,
  }))
}

function sealedSession<S extends SessionHandle>(
  sealer: Sealer,
  cookie: CookieSpec,
  now: () => number,
  version: number,
  parse: (fields: Record<string, unknown>) => S | null,
  kept: (session: S) => SessionHandle | Session,
): SessionCookie<S> {
  return {
    async read(c) {
      const sealed = getCookie(c, cookie.name)
      if (!sealed) return null
      const opened = await sealer.unseal(cookie.name, sealed)
      const value = opened?.value
      if (typeof value !== 'object' || value === null) return null
      const fields = value as Record<string, unknown>
      return fields.v === version ? parse(fields) : null
    },
    async write(c, session) {
      const lifetime = Math.max(1, session.endsAt - Math.floor(now() / 1000))
      const sealed = await sealer.seal(cookie.name, { ...kept(session), v: version }, lifetime)
      setCookie(c, cookie.name, sealed, cookie.options(lifetime))
    },
    clear(c) {
      deleteCookie(c, cookie.name, cookie.options(0))
    },
  }
}

function parseHandle(fields: Record<string, unknown>): SessionHandle | null {
  const text = (name: keyof SessionHandle) =>
    typeof fields[name] === 'string' ? (fields[name] as string) : undefined
  const time = (name: keyof SessionHandle) =>
    typeof fields[name] === 'number' && Number.isSafeInteger(fields[name])
      ? (fields[name] as number)
      : undefined
  const handle = {
    id: text('id'),
    userid: text('userid'),
    scope: text('scope'),
    loginAt: time('loginAt'),
    endsAt: time('endsAt'),
  }
  return isComplete(handle) ? handle : null
}

/** Older formats (v1 held no access token) are refused: their holders connect again. */
function parseSession(fields: Record<string, unknown>): Session | null {
  const text = (name: keyof Session) => {
    const field = fields[name]
    return typeof field === 'string' ? field : undefined
  }
  const time = (name: keyof Session) => {
    const field = fields[name]
    return typeof field === 'number' && Number.isSafeInteger(field) ? field : undefined
  }
  const session = {
    id: text('id'),
    userid: text('userid'),
    scope: text('scope'),
    accessToken: text('accessToken'),
    accessExpiresAt: time('accessExpiresAt'),
    refreshAt: time('refreshAt'),
    refreshToken: text('refreshToken'),
    loginAt: time('loginAt'),
    endsAt: time('endsAt'),
  }
  return isComplete(session) ? session : null
}

function isComplete<T extends object>(
  fields: T,
): fields is { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.values(fields).every((field) => field !== undefined)
}
