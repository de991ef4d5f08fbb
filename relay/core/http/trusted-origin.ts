import type { MiddlewareHandler } from 'hono'
import { CUSTOM_HEADER, CUSTOM_HEADER_VALUE } from '../../contract/wire-contract'
import { RelayError } from '../errors'

/**
 * Every mutating route needs an allow-listed Origin and the static custom header. A cross-site
 * form can set neither, and a cross-origin fetch cannot send the header without a CORS
 * preflight that only listed origins pass.
 */
export const trustedOrigin = (options: { origins: readonly string[] }): MiddlewareHandler => {
  // Asked with `undefined` too: a request without Origin is simply not listed.
  const listed: ReadonlySet<string | undefined> = new Set(options.origins)
  return async function trustedOrigin(c, next) {
    if (!listed.has(c.req.header('origin'))) {
      throw new RelayError('forbidden_origin', 'This origin may not call the relay.')
    }
    if (c.req.header(CUSTOM_HEADER) !== CUSTOM_HEADER_VALUE) {
      throw new RelayError(
        'forbidden_origin',
        `Requests to the relay must carry the header ${CUSTOM_HEADER}: ${CUSTOM_HEADER_VALUE}.`,
      )
    }
    await next()
  }
}
