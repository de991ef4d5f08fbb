// A token bucket per key, in bounded memory. Each bucket holds up to `perMinute` tokens and
// refills continuously at `perMinute` a minute, so a burst of a minute's allowance is fine and a
// steady stream above the rate is not. At most `maxKeys` buckets are kept: the least recently
// used goes first. Forgetting a bucket only ever gives that key a full one, never a smaller one.

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
  const buckets = new Map<string, Bucket>()

  return {
    get size() {
      return buckets.size
    },
    take(key) {
      const at = now()
      const known = buckets.get(key)
      const bucket: Bucket = known
        ? { tokens: Math.min(perMinute, known.tokens + (at - known.at) * perMs), at }
        : { tokens: perMinute, at }
      // Re-inserting moves the key to the end: Map order is then least recently used first.
      buckets.delete(key)
      buckets.set(key, bucket)
      if (buckets.size > maxKeys) {
        const oldest = buckets.keys().next().value
        if (oldest !== undefined) buckets.delete(oldest)
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1
        return undefined
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000))
    },
  }
}
