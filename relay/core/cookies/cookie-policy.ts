import type { CookieOptions } from 'hono/utils/cookie'

// Which cookies the relay sets, decided once from the app's origin (the redirect URI's), never
// per request. Over https: `__Host-` cookies (Secure, Path=/, no Domain), so no sibling subdomain
// can set or read them. On plain http with a loopback host (the local demo, `npm run dev`):
// the same cookies without the prefix and without Secure, because WebKit (Safari's engine, seen
// in WebKitGTK) drops every Secure cookie on http://localhost although it calls the page a secure
// context; Chromium and Firefox keep them. Either way HttpOnly, sealed, and the same SameSite.

/** The hosts a browser can only reach on the person's own machine. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

type CookieKind = 'login' | 'session'

export interface CookieSpec {
  /** The cookie's name, also the purpose its seal is bound to. */
  name: string
  options(maxAgeSeconds: number): CookieOptions
}

interface CookiePolicy {
  /** True for `__Host-` cookies with Secure (https), false on a loopback http origin. */
  secure: boolean
  login: CookieSpec
  session: CookieSpec
}

/** Login cookie: it must survive the top-level navigation back from Withings. */
const SAME_SITE: Record<CookieKind, 'Lax' | 'Strict'> = { login: 'Lax', session: 'Strict' }

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase())
}

/**
 * The cookie policy of an app served at `appOrigin`. Plain http anywhere but on a loopback host
 * is refused: cookies there would travel in clear text (configFromEnv says so in one line).
 */
export function cookiePolicy(appOrigin: string): CookiePolicy {
  const { protocol, hostname } = new URL(appOrigin)
  const secure = protocol === 'https:'
  if (!secure && !(protocol === 'http:' && isLoopbackHost(hostname))) {
    throw new Error(
      `The app's origin ${new URL(appOrigin).origin} is plain http on a host other than localhost, 127.0.0.1 or [::1]: serve it over https.`,
    )
  }
  const spec = (kind: CookieKind): CookieSpec => ({
    name: secure ? `__Host-wl-${kind}` : `wl-${kind}`,
    options: (maxAge) => ({ httpOnly: true, secure, path: '/', sameSite: SAME_SITE[kind], maxAge }),
  })
  return { secure, login: spec('login'), session: spec('session') }
}
