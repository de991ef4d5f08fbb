import type { RateLimiter } from './client-budget'
import { failure, MESSAGES } from './envelope-answers'

/** Status 601 with `wait_seconds` when the app is over its budget; undefined (and counted) otherwise. */
export function overBudget(rateLimiter: RateLimiter, clientId: string): Response | undefined {
  const wait = rateLimiter.take(clientId)
  return wait === undefined
    ? undefined
    : failure(601, MESSAGES.tooManyRequests, { wait_seconds: wait })
}
