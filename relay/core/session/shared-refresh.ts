import type { WithingsTokens } from '../withings/token-client'

// Withings refuses identical requests "in less than 10 seconds" (status 601), and several tabs,
// or several requests of one page, often refresh the same session at once. Requests carrying
// the same refresh token therefore share one upstream call, and its result for 10 seconds
// after: every one of them proved it holds that refresh token, and all get the same new pair.

export const SHARE_MS = 10_000

interface Entry {
  tokens: Promise<WithingsTokens>
  settledAt?: number
}

export function sharedRefresh(
  refresh: (refreshToken: string) => Promise<WithingsTokens>,
  now: () => number,
): (refreshToken: string) => Promise<WithingsTokens> {
  const entries = new Map<string, Entry>()

  // Entries sit in insertion order, which is roughly settling order: stop at the first that
  // must stay, so each call does a little work rather than a walk over the whole map.
  const sweep = () => {
    for (const [key, entry] of entries) {
      if (entry.settledAt === undefined || now() - entry.settledAt < SHARE_MS) return
      entries.delete(key)
    }
  }

  return (refreshToken) => {
    sweep()
    const known = entries.get(refreshToken)
    if (known) return known.tokens
    const entry: Entry = { tokens: refresh(refreshToken) }
    entries.set(refreshToken, entry)
    entry.tokens.then(
      () => {
        entry.settledAt = now()
      },
      // A failure is not shared: the next attempt asks Withings again.
      () => entries.delete(refreshToken),
    )
    return entry.tokens
  }
}
