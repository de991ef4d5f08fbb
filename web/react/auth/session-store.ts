import type { LogoutResult, SessionView } from '../../../relay/contract/wire-contract'
import type { ProblemCode } from './problems'
import { withRefreshLock } from './refresh-lock'
import { asRelayError, type RelayClient } from './relay-client'
import type { SessionChannel } from './session-channel'

// The page's view of its Withings connection: who, which scopes, until when — never a token
// (the relay keeps both, sealed in the session cookie). A reload asks the relay, which answers
// without calling Withings while the access token has time left; near its expiry one tab at a
// time asks again, and the relay refreshes then. Tabs tell each other over a BroadcastChannel.

/** What Disconnect achieved at Withings, for the tab that pressed it. */
export interface Farewell {
  withingsInformed: boolean
  /** Withings could not be told, for now: the page may try again (after `retryAfter` s). */
  canRetry: boolean
  retryAfter?: number | undefined
}

export type SessionState =
  | { status: 'checking' }
  | { status: 'connected'; session: SessionView }
  | { status: 'disconnected'; problem?: ProblemCode; farewell?: Farewell }
  /** The session could not be checked (a passing fault): it is not lost, try again. */
  | { status: 'unavailable'; problem: ProblemCode; retryAfter?: number | undefined }

export interface SessionStore {
  getState(): SessionState
  subscribe(listener: () => void): () => void
  /** After a successful code exchange. */
  connect(session: SessionView): void
  /** Asks the relay whether this browser is connected (a reload, a new tab). */
  restore(): Promise<void>
  /** Renews the session near its refresh moment, one tab at a time. */
  renew(): Promise<void>
  /** Renews when the refresh moment has passed: for when the tab wakes up or comes back online. */
  checkExpiry(): void
  /** The relay found the session gone (a data call said so). */
  expire(): void
  /** Disconnects at the relay, which revokes at Withings; every tab shows the Connect form. */
  /** `deleteData`: "Disconnect and delete my data" (sync on). */
  disconnect(options?: { deleteData?: boolean }): Promise<void>
  /** Tries again to tell Withings, when Disconnect could not. */
  retryRevoke(): Promise<void>
  dispose(): void
}

interface SessionStoreOptions {
  relay: Pick<RelayClient, 'session' | 'logout' | 'revoke'>
  channel: SessionChannel
  lock?: <T>(task: () => Promise<T>) => Promise<T>
  now?: () => number
}

const RETRY_MS = 5_000

/** The moment the relay named for asking again, in ms (a session view counts in seconds). */
const dueAt = (session: SessionView) => session.refresh_at * 1000

export function createSessionStore(options: SessionStoreOptions): SessionStore {
  const { relay, channel, lock = withRefreshLock, now = Date.now } = options
  const listeners = new Set<() => void>()
  let state: SessionState = { status: 'checking' }
  // Bumped by every connect or disconnect: an answer that started before one must not undo it.
  let version = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  let revokeTicket: string | undefined
  let restoring: Promise<void> | undefined

  const set = (next: SessionState) => {
    state = next
    for (const listener of listeners) listener()
  }

  const renewAt = (at: number) => {
    clearTimeout(timer)
    timer = setTimeout(() => void store.renew(), Math.max(0, at - now()))
  }

  const becomeConnected = (session: SessionView) => {
    set({ status: 'connected', session })
    renewAt(dueAt(session))
  }

  const becomeDisconnected = (
    details: Omit<Extract<SessionState, { status: 'disconnected' }>, 'status'> = {},
  ) => {
    clearTimeout(timer)
    set({ status: 'disconnected', ...details })
  }

  const stopListening = channel.listen((message) => {
    version++
    if (message.type === 'session') becomeConnected(message.session)
    else becomeDisconnected()
  })

  /** Asks the relay for the session; a fault other than its end goes to `onFault`. */
  async function ask(onFault: (problem: ProblemCode, retryAfter?: number) => void) {
    const startedAt = version
    let session: SessionView | null
    try {
      session = await relay.session()
    } catch (error) {
      if (version !== startedAt) return
      const { code, retryAfter } = asRelayError(error)
      return onFault(code, retryAfter)
    }
    if (version !== startedAt) return
    version++
    if (session) {
      becomeConnected(session)
      channel.post({ type: 'session', session })
      return
    }
    // Gone: say so to a page that was connected; a first visit simply is not.
    const wasConnected = state.status === 'connected'
    becomeDisconnected(wasConnected ? { problem: 'session_expired' } : {})
    if (wasConnected) channel.post({ type: 'disconnected' })
  }

  const farewellOf = (result: LogoutResult): Farewell => {
    revokeTicket = result.revoke_ticket
    return {
      withingsInformed: result.withings_informed,
      canRetry: revokeTicket !== undefined,
      retryAfter: result.retry_after,
    }
  }

  const store: SessionStore = {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    connect(session) {
      version++
      becomeConnected(session)
      channel.post({ type: 'session', session })
    },
    restore() {
      if (state.status === 'connected') return Promise.resolve()
      // StrictMode mounts twice, and several components may ask at once: one question.
      restoring ??= ask((problem, retryAfter) => {
        set({ status: 'unavailable', problem, retryAfter })
        renewAt(now() + (retryAfter ? retryAfter * 1000 : RETRY_MS))
      }).finally(() => {
        restoring = undefined
      })
      return restoring
    },
    renew() {
      return lock(async () => {
        // Another tab may have renewed (and said so) while this one waited for the lock.
        if (state.status === 'connected' && now() < dueAt(state.session)) {
          return renewAt(dueAt(state.session))
        }
        if (state.status === 'disconnected') return
        await ask((problem, retryAfter) => {
          // A passing fault: keep what we have and try again later; the session is not lost.
          if (state.status !== 'connected') set({ status: 'unavailable', problem, retryAfter })
          renewAt(now() + (retryAfter ? retryAfter * 1000 : RETRY_MS))
        })
      })
    },
    checkExpiry() {
      if (state.status === 'connected' && now() >= dueAt(state.session)) {
        void store.renew()
      }
    },
    expire() {
      if (state.status === 'disconnected') return
      version++
      becomeDisconnected({ problem: 'session_expired' })
      channel.post({ type: 'disconnected' })
    },
    async disconnect(options) {
      const result = await relay.logout(options)
      version++
      revokeTicket = undefined
      becomeDisconnected(result ? { farewell: farewellOf(result) } : {})
      channel.post({ type: 'disconnected' })
    },
    async retryRevoke() {
      if (!revokeTicket || state.status !== 'disconnected') return
      const farewell = farewellOf(await relay.revoke(revokeTicket))
      if (state.status === 'disconnected') set({ ...state, farewell })
    },
    dispose() {
      clearTimeout(timer)
      stopListening()
      listeners.clear()
    },
  }
  return store
}
