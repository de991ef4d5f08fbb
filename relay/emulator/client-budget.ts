import { failure, MESSAGES } from './envelope-answers'

// "Standard apps get 120 requests per minute" (Withings developer guide): the app's budget, its
// client id's, shared by every user and every service the app calls (token, data, signature,
// notify alike). Beyond it Withings answers status 601 with how long to wait. One sliding window
// per client id, for every service of one emulator; refused requests are not counted, so a
// client that backs off recovers on time.

const WINDOW_MS = 60_000

export interface RateLimiter {
  /**
   * One API call of `clientId`'s app: undefined (and counted) within the budget, otherwise the
   * seconds until the window frees a slot.
   */
  take(clientId: string): number | undefined
}

/** Withings' answer past the budget: `{"status":601,"body":{"wait_seconds":N},"error":…}`. */
export const tooManyRequests = (waitSeconds: number): Response =>
  failure(601, MESSAGES.tooManyRequests, { wait_seconds: waitSeconds })

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
