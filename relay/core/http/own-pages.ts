import type { MiddlewareHandler } from 'hono'
import { RelayError } from '../errors'

/**
 * A GET only the app's own pages may make (the live stream, which carries the person's events).
 * Browsers send Origin with cross-origin requests; it must then be listed. A same-origin
 * EventSource usually sends none, and then the browser's Fetch Metadata (`Sec-Fetch-Site`, sent
 * by Chromium, Firefox and Safari) must not name another origin: an <img> or <script> of another
 * site sends no Origin but says `cross-site`. A client that sends neither is no browser page, and
 * the SameSite=Strict session cookie is what stops a forged one.
 */
export const ownPagesOnly = (options: { origins: readonly string[] }): MiddlewareHandler => {
  const listed = new Set(options.origins)
  return async function ownPagesOnly(c, next) {
    const origin = c.req.header('origin')
    const site = c.req.header('sec-fetch-site')
    const foreign =
      origin !== undefined
        ? !listed.has(origin)
        : site !== undefined && site !== 'same-origin' && site !== 'none'
    if (foreign) throw new RelayError('forbidden_origin', 'This origin may not call the relay.')
    await next()
  }
}
