import type { Context, MiddlewareHandler } from 'hono'
import { RelayError } from '../errors'
import { UNKNOWN_CLIENT } from './client-address'
import { createTokenBuckets } from './token-buckets'

/** The route families the relay counts; a path outside them is refused before any counting. */
export type RouteFamily = 'auth' | 'withings' | 'events' | 'notify' | 'data'

/**
 * Limits the requests one client makes to each route family, with a budget per family, so that
 * reading data never locks a person out of refreshing their session. A person reloading and a
 * few tabs stay far below the default of 60 a minute; a script hammering the relay does not.
 * The family is fixed where the limiter is mounted, never read from the path: made-up paths
 * cannot mint keys and push real clients out of the bounded store. Where the runtime gives no
 * address, nothing is counted: one budget for every client would lock everyone out at the first
 * busy minute (the app's Withings budget still keeps floods from Withings).
 */
export function createRateLimits(options: {
  perMinute: number
  now: () => number
  clientKey: (c: Context) => string
}): (family: RouteFamily) => MiddlewareHandler {
  const buckets = createTokenBuckets({ perMinute: options.perMinute, now: options.now })
  return (family) =>
    async function rateLimit(c, next) {
      const client = options.clientKey(c)
      if (client === UNKNOWN_CLIENT) return next()
      const wait = buckets.take(`${family} ${client}`)
      if (wait !== undefined) {
        throw new RelayError('rate_limited', 'Too many requests from this address: slow down.', {
          retryAfter: wait,
        })
      }
      await next()
    }
}
