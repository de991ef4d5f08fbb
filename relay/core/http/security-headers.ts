import type { MiddlewareHandler } from 'hono'
import { secureHeaders } from 'hono/secure-headers'

type SecureHeadersOptions = NonNullable<Parameters<typeof secureHeaders>[0]>
type CspOptions = NonNullable<SecureHeadersOptions['contentSecurityPolicy']>

// Hono's secure-headers, in two profiles. Both: no framing (RFC 9700 §4.16, clickjacking), no
// Referer (RFC 9700 §4.2.4: the callback URL carries the code), nosniff, and HSTS only when the
// request really arrived over https (browsers ignore it over http anyway, RFC 6797 §8.1).

const COMMON: SecureHeadersOptions = {
  referrerPolicy: 'no-referrer',
  xFrameOptions: 'DENY',
  crossOriginOpenerPolicy: 'same-origin',
  crossOriginResourcePolicy: 'same-origin',
}

/**
 * The SPA's pages and assets: scripts, styles and fetches from its own origin only (no inline
 * script). `connectOrigins` adds where the SPA may fetch besides itself: a relay on another
 * origin (the SPA built with VITE_RELAY_URL, that relay listing the SPA in ALLOWED_ORIGINS).
 */
export const pageSecurityHeaders = (
  options: { connectOrigins?: readonly string[] } = {},
): MiddlewareHandler =>
  httpsAware({
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'", ...(options.connectOrigins ?? [])],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  })

/** The relay's answers are data: nothing in them may load, run or be framed, if ever rendered. */
export const apiSecurityHeaders = (): MiddlewareHandler =>
  httpsAware({
    defaultSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  })

function httpsAware(contentSecurityPolicy: CspOptions): MiddlewareHandler {
  const overHttps = secureHeaders({
    ...COMMON,
    contentSecurityPolicy,
    strictTransportSecurity: 'max-age=31536000; includeSubDomains',
  })
  const overHttp = secureHeaders({
    ...COMMON,
    contentSecurityPolicy,
    strictTransportSecurity: false,
  })
  return async function securityHeaders(c, next) {
    const https =
      new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https'
    return (https ? overHttps : overHttp)(c, next)
  }
}
