// "Standard apps get 120 requests per minute" (Withings developer guide, DESIGN §4); beyond that
// Withings answers status 601 with how long to wait. A sliding window per client id; refused
// requests are not counted, so a client that backs off recovers on time.

export const WINDOW_MS = 60_000

export interface RateLimiter {
  /** Seconds to wait when `clientId` is over its limit; undefined (and counted) otherwise. */
  take(clientId: string): number | undefined
}

export function createRateLimiter({
  now,
  perMinute,
}: {
  now: () => number
  perMinute: number
}): RateLimiter {
  const calls = new Map<string, number[]>()
  return {
    take(clientId) {
      const at = now()
      const recent = calls.get(clientId) ?? []
      calls.set(clientId, recent)
      // Calls are kept in time order, so the expired ones are at the front: under load the
      // window holds thousands, and a walk over all of them at every call would be the cost.
      while (recent.length > 0 && at - (recent[0] as number) >= WINDOW_MS) recent.shift()
      const oldest = recent[0]
      if (recent.length >= perMinute && oldest !== undefined) {
        return Math.max(1, Math.ceil((oldest + WINDOW_MS - at) / 1000))
      }
      recent.push(at)
      return undefined
    },
  }
}
