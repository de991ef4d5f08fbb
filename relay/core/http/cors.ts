import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'
import { CUSTOM_HEADER } from '../../contract/wire-contract'

/**
 * CORS for the origins of ALLOWED_ORIGINS only, matched exactly, with credentials (the sealed
 * cookies), and never `*`. Any other origin, preflight or not, gets no CORS header at all, so
 * the browser refuses to send the custom header (and so the request) or to show the answer
 * (browser-based-apps draft, BFF: "Cross-Site Request Forgery Protections"). With no listed
 * origins the relay is same-origin only and sends no CORS header whatsoever.
 */
export const relayCors = (options: { origins: readonly string[] }): MiddlewareHandler => {
  // Asked with `undefined` too: a request without Origin is simply not listed.
  const listed: ReadonlySet<string | undefined> = new Set(options.origins)
  const allow = cors({
    origin: [...options.origins],
    credentials: true,
    allowMethods: ['GET', 'POST'],
    // Authorization carries the access token to the data proxy (/api/withings/*).
    allowHeaders: ['Content-Type', CUSTOM_HEADER, 'Authorization'],
    exposeHeaders: ['Retry-After', 'X-Request-Id'],
    maxAge: 600,
  })
  return async function relayCors(c, next) {
    if (listed.has(c.req.header('origin'))) return allow(c, next)
    await next()
    // The answer differs by Origin once any origin is listed: shared caches must key on it.
    if (listed.size > 0) c.res.headers.append('Vary', 'Origin')
  }
}
