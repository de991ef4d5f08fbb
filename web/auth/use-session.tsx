import { createContext, type ReactNode, useContext, useEffect, useSyncExternalStore } from 'react'
import type { SessionState, SessionStore } from './session-store'

const SessionContext = createContext<SessionStore | null>(null)

/**
 * Provides the one session store to every page. Unless told otherwise it restores the session
 * on start (a reload or a new tab stays connected with no click) and refreshes an expiring
 * token when the tab wakes up or comes back online.
 */
export function SessionProvider({
  store,
  restore = true,
  children,
}: {
  store: SessionStore
  restore?: boolean
  children: ReactNode
}) {
  useEffect(() => {
    if (restore && store.getState().status === 'checking') void store.refresh()
  }, [store, restore])

  useEffect(() => {
    const wake = () => {
      if (document.visibilityState === 'visible') store.checkExpiry()
    }
    document.addEventListener('visibilitychange', wake)
    window.addEventListener('online', wake)
    return () => {
      document.removeEventListener('visibilitychange', wake)
      window.removeEventListener('online', wake)
    }
  }, [store])

  return <SessionContext.Provider value={store}>{children}</SessionContext.Provider>
}

export function useSessionStore(): SessionStore {
  const store = useContext(SessionContext)
  if (!store) throw new Error('useSession must be used inside <SessionProvider>')
  return store
}

/** The session's current state and its actions, for any page. */
export function useSession(): { state: SessionState; store: SessionStore } {
  const store = useSessionStore()
  const state = useSyncExternalStore(store.subscribe, store.getState)
  return { state, store }
}
