import { createContext, type ReactNode, useContext } from 'react'
import type { PendingLogins } from './auth/pending-logins'
import type { RelayClient } from './auth/relay-client'

/** What the pages need from the outside world; tests hand in their own. */
export interface AppDeps {
  relay: RelayClient
  pendingLogins: PendingLogins
  /** Leaves the app for another site (Withings' authorize page). */
  goTo: (url: string) => void
}

const AppDepsContext = createContext<AppDeps | null>(null)

export function AppDepsProvider({ deps, children }: { deps: AppDeps; children: ReactNode }) {
  return <AppDepsContext.Provider value={deps}>{children}</AppDepsContext.Provider>
}

export function useAppDeps(): AppDeps {
  const deps = useContext(AppDepsContext)
  if (!deps) throw new Error('useAppDeps must be used inside <AppDepsProvider>')
  return deps
}
