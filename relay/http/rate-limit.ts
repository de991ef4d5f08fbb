import type { Context, MiddlewareHandler } from 'hono'
import { RelayError } from '../errors'
import { createTokenBuckets } from './token-buckets'

/**
 * Limits the POSTs one client makes to each route family (`/api/auth/*`, `/api/withings/*`, and
 * any family added later) with a budget per family, so that reading data never locks a person
 * out of refreshing their session. A person reloading and a few tabs stay far below the default
 * of 60 a minute; a script hammering the relay, or Withings through it, does not.
 */
export const rateLimit = (options: {
  perMinute: number
  now: () => number
  clientKey: (c: Context) => string
  maxClients?: number
}): MiddlewareHandler => {
  const buckets = createTokenBuckets({
    perMinute: options.perMinute,
    now: options.now,
    ...(options.maxClients !== undefined && { maxKeys: options.maxClients }),
  })
  return async function rateLimit(c, next) {
    const family = c.req.path.split('/')[2] ?? ''
    const wait = buckets.take(`${family} ${options.clientKey(c)}`)
    if (wait !== undefined) {
      throw new RelayError('rate_limited', 'Too many requests from this address: slow down.', {
        retryAfter: wait,
      })
    }
    await next()
  }
}
