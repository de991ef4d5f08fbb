import type { Context } from 'hono'
import { deleteCookie, generateCookie, getCookie } from 'hono/cookie'
import { TokensTooLong } from '../errors'
import type { Sealer } from '../seal'
import type { CookieSpec } from './cookie-policy'

// The session cookie is the only place both Withings tokens live, sealed: the page never sees
// either (Withings refuses browser calls, so it has no use for one). SameSite=Strict: only the
// app's own pages send it. It ends with the session's absolute lifetime, counted from the login.
// A cookie opened with an older key (RELAY_SECRET rotation) is sealed again with the current one
// at once, so that the old key can go without waiting for every session's next refresh.

export interface Session {
  /** Random, names this session for its streams and tickets; no token. */
  id: string
  userid: string
  /** The person's sign-in it came from, numbered in the shared store (person-generation.ts). */
  gen: number
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
 * Versioned so that a future format can read (or cleanly refuse) today's cookies. 3 added `gen`:
 * sessions sealed before it are refused (their people connect again), since what ended them was
 * remembered per session and no longer is.
 */
const VERSION = 3
/** The handle's format (sync on): a session cookie never opens as a handle, nor the reverse. */
const HANDLE_VERSION = 4

/**
 * With sync on, the tokens live in the database's vault and the cookie is only a handle to the
 * session: who, which sign-in, since when, until when; no Withings token.
 */
export type SessionHandle = Pick<Session, 'id' | 'userid' | 'gen' | 'scope' | 'loginAt' | 'endsAt'>

/**
 * Browsers keep a cookie of at least 4,096 bytes, name, value and attributes together (RFC 6265
 * §6.1); past that, some drop it without a word. The relay never sets a longer one.
 */
export const MAX_COOKIE_BYTES = 4_096

export interface SessionCookie<S extends SessionHandle = Session> {
  read(c: Context): Promise<S | null>
  /** Throws TokensTooLong when the sealed cookie would be longer than a browser keeps. */
  write(c: Context, session: S): Promise<void>
  clear(c: Context): void
}

export function createSessionCookie(
  sealer: Sealer,
  cookie: CookieSpec,
  now: () => number,
): SessionCookie {
  return sealedSession(sealer, cookie, now, {
    version: VERSION,
    kept: (session) => session,
    parse: parseSession,
  })
}

export function createHandleCookie(
  sealer: Sealer,
  cookie: CookieSpec,
  now: () => number,
): SessionCookie<SessionHandle> {
  return sealedSession(sealer, cookie, now, {
    version: HANDLE_VERSION,
    kept: ({ id, userid, gen, scope, loginAt, endsAt }) => ({
      id,
      userid,
      gen,
      scope,
      loginAt,
      endsAt,
    }),
    parse: parseHandle,
  })
}

function sealedSession<S extends SessionHandle>(
  sealer: Sealer,
  cookie: CookieSpec,
  now: () => number,
  format: {
    version: number
    /** What of the session the cookie holds. */
    kept: (session: S) => SessionHandle
    parse: (fields: Record<string, unknown>) => S | null
  },
): SessionCookie<S> {
  const write = async (c: Context, session: S) => {
    const lifetime = Math.max(1, session.endsAt - Math.floor(now() / 1000))
    const sealed = await sealer.seal(
      cookie.name,
      { ...format.kept(session), v: format.version },
      lifetime,
    )
    const line = generateCookie(cookie.name, sealed, cookie.options(lifetime))
    if (new TextEncoder().encode(line).byteLength >= MAX_COOKIE_BYTES) {
      throw new TokensTooLong(session.userid)
    }
    c.header('Set-Cookie', line, { append: true })
  }
  return {
    async read(c) {
      const sealed = getCookie(c, cookie.name)
      if (!sealed) return null
      const opened = await sealer.unseal(cookie.name, sealed)
      const fields = opened?.value
      const session =
        typeof fields === 'object' &&
        fields !== null &&
        'v' in fields &&
        fields.v === format.version
          ? format.parse(fields as Record<string, unknown>)
          : null
      if (session && opened?.stale) await write(c, session)
      return session
    },
    write,
    clear(c) {
      deleteCookie(c, cookie.name, cookie.options(0))
    },
  }
}

function parseHandle(fields: Record<string, unknown>): SessionHandle | null {
  const session = parseSession({
    ...fields,
    accessToken: '-',
    refreshToken: '-',
    accessExpiresAt: 0,
    refreshAt: 0,
  })
  if (!session) return null
  const { id, userid, gen, scope, loginAt, endsAt } = session
  return { id, userid, gen, scope, loginAt, endsAt }
}

/** Older formats are refused (by their version): their holders connect again. */
function parseSession(fields: Record<string, unknown>): Session | null {
  const text = (name: keyof Session) => {
    const field = fields[name]
    return typeof field === 'string' ? field : undefined
  }
  const whole = (name: keyof Session) => {
    const field = fields[name]
    return typeof field === 'number' && Number.isSafeInteger(field) ? field : undefined
  }
  const session = {
    id: text('id'),
    userid: text('userid'),
    gen: whole('gen'),
    scope: text('scope'),
    accessToken: text('accessToken'),
    accessExpiresAt: whole('accessExpiresAt'),
    refreshAt: whole('refreshAt'),
    refreshToken: text('refreshToken'),
    loginAt: whole('loginAt'),
    endsAt: whole('endsAt'),
  }
  return isComplete(session) ? session : null
}

function isComplete<T extends object>(
  fields: T,
): fields is { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.values(fields).every((field) => field !== undefined)
}
