import type { SessionView } from '../../../relay/contract/wire-contract'

/** A session view out of JSON or a message (typed `unknown` until each field is checked). */
export function parseSessionView(value: unknown): SessionView | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { userid, scope, expires_at, refresh_at, session_ends_at } = value as Record<
    string,
    unknown
  >
  if (typeof userid !== 'string' || typeof scope !== 'string') return undefined
  if (typeof expires_at !== 'number' || typeof refresh_at !== 'number') return undefined
  if (typeof session_ends_at !== 'number') return undefined
  return { userid, scope, expires_at, refresh_at, session_ends_at }
}
