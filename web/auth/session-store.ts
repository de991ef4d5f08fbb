import type { TokenView } from '../../relay/contract'
import type { ProblemCode } from './problems'
import { withRefreshLock } from './refresh-lock'
import { type RelayClient, RelayRequestError } from './relay-client'
import type { SessionChannel } from './session-channel'

// The SPA's session: the access token lives here, in memory only (the token-mediating backend
// pattern of the IETF "OAuth 2.0 for Browser-Based Applications" draft). The refresh token never
// reaches the browser; the relay refreshes from its sealed cookie.

export type SessionState =
  | { status: 'checking' }
  | { status: 'connected'; token: TokenView }
  | { status: 'disconnected'; problem?: ProblemCode }
  /** The session could not be checked (a passing fault): it is not lost, try again. */
  | { status: 'unavailable'; problem: ProblemCode; retryAfter?: number | undefined }

export interface SessionStore {
  getState(): SessionState
  subscribe(listener: () => void): () => void
  /** After a successful code exchange. */
  connect(token: TokenView): void
  /**
   * Gets a fresh access token from the relay, one tab at a time. With `unless`, skips the refresh
   * when the current token is no longer that one (another tab or call already replaced it).
   */
  refresh(options?: { unless?: string }): Promise<TokenView | null>
  /** A usable access token, refreshed first when it is about to expire; null when disconnected. */
  accessToken(): Promise<string | null>
  /** Refreshes when the token expires soon: for when the tab wakes up or comes back online. */
  checkExpiry(): void
  disconnect(): Promise<void>
  dispose(): void
}

export interface SessionStoreOptions {
  relay: RelayClient
  channel: SessionChannel
  lock?: <T>(task: () => Promise<T>) => Promise<T>
  now?: () => number
}

const RETRY_MS = 5_000

export function createSessionStore(options: SessionStoreOptions): SessionStore {
  const { relay, channel, lock = withRefreshLock, now = Date.now } = options
  const listeners = new Set<() => void>()
  let state: SessionState = { status: 'checking' }
  // Bumped by every connect or disconnect: a refresh that started before one must not undo it.
  let version = 0
  let inFlight: Promise<TokenView | null> | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  let refreshAt = Number.POSITIVE_INFINITY

  const set = (next: SessionState) => {
    state = next
    for (const listener of listeners) listener()
  }

  const schedule = (at: number) => {
    clearTimeout(timer)
    refreshAt = at
    timer = setTimeout(() => void store.refresh(), Math.max(0, at - now()))
  }

  const becomeConnected = (token: TokenView) => {
    set({ status: 'connected', token })
    schedule(refreshMoment(token, now()))
  }

  const becomeDisconnected = (problem?: ProblemCode) => {
    clearTimeout(timer)
    refreshAt = Number.POSITIVE_INFINITY
    set(problem ? { status: 'disconnected', problem } : { status: 'disconnected' })
  }

  const stopListening = channel.listen((message) => {
    version++
    if (message.type === 'token') becomeConnected(message.token)
    else becomeDisconnected()
  })

  const currentToken = () => (state.status === 'connected' ? state.token : null)

  async function refreshUnderLock(unless: string | undefined): Promise<TokenView | null> {
    const startedAt = version
    const current = currentToken()
    // Another tab may have refreshed while this one waited for the lock.
    if (current && now() < refreshAt && (unless === undefined || current.access_token !== unless)) {
      return current
    }
    try {
      const token = await relay.refresh()
      if (version !== startedAt) return currentToken()
      version++
      becomeConnected(token)
      channel.post({ type: 'token', token })
      return token
    } catch (error) {
      if (version !== startedAt) return currentToken()
      const problem = error instanceof RelayRequestError ? error.code : 'unexpected_response'
      if (problem === 'session_expired') {
        becomeDisconnected(state.status === 'checking' ? undefined : problem)
        return null
      }
      // A passing fault: keep what we have and try again later; the session is not lost.
      const retryAfter = error instanceof RelayRequestError ? error.retryAfter : undefined
      if (state.status !== 'connected') set({ status: 'unavailable', problem, retryAfter })
      schedule(now() + (retryAfter ? retryAfter * 1000 : RETRY_MS))
      return currentToken()
    }
  }

  const store: SessionStore = {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    connect(token) {
      version++
      becomeConnected(token)
      channel.post({ type: 'token', token })
    },
    refresh({ unless } = {}) {
      inFlight ??= lock(() => refreshUnderLock(unless)).finally(() => {
        inFlight = null
      })
      return inFlight
    },
    async accessToken() {
      if (state.status === 'disconnected') return null
      const token = currentToken()
      if (token && now() < refreshAt) return token.access_token
      return (await store.refresh())?.access_token ?? null
    },
    checkExpiry() {
      if (state.status === 'connected' && now() >= refreshAt) void store.refresh()
    },
    async disconnect() {
      await relay.logout()
      version++
      becomeDisconnected()
      channel.post({ type: 'disconnected' })
    },
    dispose() {
      clearTimeout(timer)
      stopListening()
      listeners.clear()
    },
  }
  return store
}

/** Refresh a little before expiry: a tenth of the token's life, between 1 s and 5 minutes. */
export function refreshMoment(token: TokenView, receivedAt: number): number {
  const expiresAt = token.expires_at * 1000
  const margin = Math.min(300_000, Math.max(1_000, (expiresAt - receivedAt) / 10))
  return expiresAt - margin
}
