import type { MiddlewareHandler } from 'hono'
import { secureHeaders } from 'hono/secure-headers'

/**
 * Hono's secure-headers with a strict CSP (no inline script), no framing, no referrer (the
 * callback URL carries a code), and HSTS only when the request really arrived over https.
 * `connectOrigins` lists where the SPA may fetch from besides itself (a relay on another origin).
 */
export const securityHeaders = (
  options: { connectOrigins?: readonly string[] } = {},
): MiddlewareHandler => {
  const common = {
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'", ...(options.connectOrigins ?? [])],
      objectSrc: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
    referrerPolicy: 'no-referrer',
    xFrameOptions: 'DENY',
    crossOriginOpenerPolicy: 'same-origin',
  }
  const overHttps = secureHeaders({
    ...common,
    strictTransportSecurity: 'max-age=31536000; includeSubDomains',
  })
  const overHttp = secureHeaders({ ...common, strictTransportSecurity: false })
  return async function securityHeaders(c, next) {
    const https =
      new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https'
    return (https ? overHttps : overHttp)(c, next)
  }
}
