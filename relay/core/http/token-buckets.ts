import { createExpiringMap } from '../store/expiring-map'

// A token bucket per key, in bounded memory. Each bucket holds up to `perMinute` tokens and
// refills continuously at `perMinute` a minute, so a burst of a minute's allowance is fine and a
// steady stream above the rate is not. A bucket is kept (in the expiring map, the relay's one way
// of forgetting) only until it would be full again, when forgetting it changes nothing. At most
// `maxKeys` are kept: past that a new key is not remembered (it gets a full bucket each time, as
// a forgotten one would), and every key already counted stays exact — a spray of made-up
// addresses cannot reset a client that is being limited.

export const DEFAULT_MAX_KEYS = 10_000

interface TokenBuckets {
  /** Seconds to wait when `key` has no token left; undefined (and one token spent) otherwise. */
  take(key: string): number | undefined
  readonly size: number
}

interface Bucket {
  tokens: number
  at: number
}

export function createTokenBuckets(options: {
  perMinute: number
  now: () => number
  maxKeys?: number
}): TokenBuckets {
  const { perMinute, now, maxKeys = DEFAULT_MAX_KEYS } = options
  const perMs = perMinute / 60_000
  const buckets = createExpiringMap<Bucket>({ now, maxKeys })

  return {
    get size() {
      return buckets.size
    },
    take(key) {
      const at = now()
      const known = buckets.get(key)
      const tokens = known ? Math.min(perMinute, known.tokens + (at - known.at) * perMs) : perMinute
      const left = tokens >= 1 ? tokens - 1 : tokens
      buckets.set(key, { tokens: left, at }, at + (perMinute - left) / perMs)
      if (tokens >= 1) return undefined
      return Math.max(1, Math.ceil((1 - tokens) / perMs / 1000))
    },
  }
}
