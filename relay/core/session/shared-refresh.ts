import { createExpiringMap } from '../store/expiring-map'
import type { WithingsTokens } from '../withings/token-client'

// Withings refuses identical requests "in less than 10 seconds" (status 601), and several tabs,
// or several requests of one page, often refresh the same session at once. Requests carrying
// the same refresh token therefore share one upstream call, and its result for 10 seconds
// after: every one of them proved it holds that refresh token, and all get the same new pair.
// Kept in the expiring map (the relay's one way of forgetting): while in flight, then SHARE_MS.

export const SHARE_MS = 10_000
/** Refreshes shared at once at most; past it a refresh simply goes alone. */
const MAX_SHARED = 10_000

export function sharedRefresh(
  refresh: (refreshToken: string) => Promise<WithingsTokens>,
  now: () => number,
): (refreshToken: string) => Promise<WithingsTokens> {
  const entries = createExpiringMap<Promise<WithingsTokens>>({ now, maxKeys: MAX_SHARED })

  return (refreshToken) => {
    const known = entries.get(refreshToken)
    if (known) return known
    const tokens = refresh(refreshToken)
    entries.set(refreshToken, tokens, Number.POSITIVE_INFINITY)
    tokens.then(
      () => entries.set(refreshToken, tokens, now() + SHARE_MS),
      // A failure is not shared: the next attempt asks Withings again.
      () => entries.delete(refreshToken),
    )
    return tokens
  }
}
