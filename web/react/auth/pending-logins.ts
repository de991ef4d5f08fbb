import { constantTimeEqual, PENDING_LOGIN_SECONDS } from '../../../relay/contract/wire-contract'

// Logins this tab has started and not finished, in sessionStorage (per tab, gone with it). Each
// is keyed by its state; several coexist; each is used once and lives at most 10 minutes.

export interface PendingLogin {
  state: string
  createdAt: number
  /** Where the person started, so the callback can bring them back there. */
  returnTo: string
  scopes: string[]
  demo: boolean
}

type TakenLogin =
  | { status: 'found'; login: PendingLogin }
  | { status: 'expired'; login: PendingLogin }
  | { status: 'unknown' }

const KEY = 'withings-link:pending-logins'
const LIFETIME_MS = PENDING_LOGIN_SECONDS * 1000

export interface PendingLogins {
  save(login: PendingLogin): void
  /** Removes the login with this state and returns it: a second take of the same state finds nothing. */
  take(state: string): TakenLogin
}

export type LoginStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>

export function createPendingLogins(
  storage: LoginStorage,
  now: () => number = Date.now,
): PendingLogins {
  const fresh = (login: PendingLogin) => now() - login.createdAt < LIFETIME_MS
  const read = (): PendingLogin[] => parseLogins(storage.getItem(KEY))
  const write = (logins: PendingLogin[]) => {
    if (logins.length === 0) storage.removeItem(KEY)
    else storage.setItem(KEY, JSON.stringify(logins))
  }

  return {
    save(login) {
      write([...read().filter(fresh), login])
    },
    take(state) {
      const logins = read()
      // Compare against every entry in equal time rather than looking the state up by key.
      let match: PendingLogin | undefined
      for (const login of logins) if (constantTimeEqual(login.state, state)) match = login
      write(logins.filter((login) => login !== match && fresh(login)))
      if (!match) return { status: 'unknown' }
      return fresh(match) ? { status: 'found', login: match } : { status: 'expired', login: match }
    },
  }
}

function parseLogins(raw: string | null): PendingLogin[] {
  if (!raw) return []
  try {
    const parsed: unknown = JSON.parse(raw)
    return Array.isArray(parsed) ? parsed.filter(isPendingLogin) : []
  } catch {
    return []
  }
}

function isPendingLogin(value: unknown): value is PendingLogin {
  if (typeof value !== 'object' || value === null) return false
  const login = value as Record<string, unknown>
  return (
    typeof login.state === 'string' &&
    typeof login.createdAt === 'number' &&
    typeof login.returnTo === 'string' &&
    Array.isArray(login.scopes) &&
    login.scopes.every((scope) => typeof scope === 'string') &&
    typeof login.demo === 'boolean'
  )
}
