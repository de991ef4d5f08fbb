import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react'
import type { NotifyStatus, Scope, SessionView } from '../../relay/contract/wire-contract'
import { SCOPES } from '../../relay/contract/wire-contract'
import type { ProblemCode } from './auth/problems'
import type { Farewell, SessionState } from './auth/session-store'
import type { StoredDataClient } from './auth/stored-data-client'
import type { WithingsData } from './auth/withings-data'
import { type ConnectOptions, useWithingsLink } from './provider'

export interface WithingsConnection {
  /** `checking` until the relay has answered; `unavailable` when it could not, for now. */
  status: SessionState['status']
  /** When connected: who, and what the connection may read, until when. */
  session: SessionView | undefined
  userid: string | undefined
  scopes: Scope[]
  /** Why the page is disconnected or the session unavailable, when there is a reason to say. */
  problem: ProblemCode | undefined
  retryAfter: number | undefined
  /** What the last Disconnect achieved at Withings, in this tab. */
  farewell: Farewell | undefined
  connect(options: ConnectOptions): Promise<void>
  /** `deleteData` (sync on): every record stored of the person goes too. */
  disconnect(options?: { deleteData?: boolean }): Promise<void>
  /** Tries again to tell Withings, when Disconnect could not. */
  retryRevoke(): Promise<void>
  /** Asks the relay again after a passing failure. */
  retry(): void
  /** Withings' data through the relay, for this session. */
  data: WithingsData
  /** The person's data as the app's database keeps it (sync on): no Withings call. */
  stored: StoredDataClient
  /** Which notification categories the relay subscribed for this person, or why not. */
  notifications(): Promise<NotifyStatus>
  /** Asks the relay to list and subscribe again now (after a failed subscription). */
  resubscribe(): Promise<NotifyStatus>
}

/** The person's Withings connection, for any component under <WithingsLinkProvider>. */
export function useWithings(): WithingsConnection {
  const kit = useWithingsLink()
  const { store } = kit
  const state = useSyncExternalStore(store.subscribe, store.getState)
  const session = state.status === 'connected' ? state.session : undefined
  // The same array while the granted scopes stay the same: safe in effect and callback deps.
  const scopes = useMemo(() => grantedScopes(session?.scope ?? ''), [session?.scope])
  return {
    status: state.status,
    session,
    userid: session?.userid,
    scopes,
    problem:
      state.status === 'disconnected' || state.status === 'unavailable' ? state.problem : undefined,
    retryAfter: state.status === 'unavailable' ? state.retryAfter : undefined,
    farewell: state.status === 'disconnected' ? state.farewell : undefined,
    connect: kit.connect,
    disconnect: store.disconnect,
    retryRevoke: store.retryRevoke,
    retry: useCallback(() => void store.restore(), [store]),
    data: kit.data,
    stored: kit.stored,
    notifications: kit.relay.notifications,
    resubscribe: kit.relay.resubscribe,
  }
}

/** Restores the session once, on the first render of a page that is not the callback. */
export function useRestoreSession(): void {
  const { store } = useWithingsLink()
  useEffect(() => {
    if (store.getState().status === 'checking') void store.restore()
  }, [store])
}

function grantedScopes(scope: string): Scope[] {
  const granted = new Set(scope.split(','))
  return SCOPES.filter((known) => granted.has(known))
}
