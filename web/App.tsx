import { lazy, Suspense } from 'react'
import { BrowserRouter, Link, NavLink, Route, Routes } from 'react-router-dom'
import { type AppDeps, AppDepsProvider } from './app-deps'
import type { SessionStore } from './auth/session-store'
import { SessionProvider } from './auth/use-session'
import { CallbackPage } from './pages/CallbackPage'
import { ConnectPage } from './pages/ConnectPage'
import { NotFoundPage } from './pages/NotFoundPage'

// The dashboard (charts, data client) loads only when visited: the first load stays small.
const DashboardPage = lazy(() => import('./pages/DashboardPage'))

export function AppRoutes() {
  return (
    <>
      <header className="top">
        <Link to="/" className="brand">
          withings-link
        </Link>
        <nav aria-label="Main">
          <NavLink to="/" end>
            Connection
          </NavLink>
          <NavLink to="/dashboard">Dashboard</NavLink>
        </nav>
      </header>
      <main>
        <Routes>
          <Route path="/" element={<ConnectPage />} />
          <Route path="/callback" element={<CallbackPage />} />
          <Route
            path="/dashboard"
            element={
              <Suspense fallback={<p role="status">Loading the dashboard…</p>}>
                <DashboardPage />
              </Suspense>
            }
          />
          <Route path="*" element={<NotFoundPage />} />
        </Routes>
      </main>
    </>
  )
}

export function App({
  deps,
  store,
  restore,
}: {
  deps: AppDeps
  store: SessionStore
  restore: boolean
}) {
  return (
    <AppDepsProvider deps={deps}>
      <SessionProvider store={store} restore={restore}>
        <BrowserRouter>
          <AppRoutes />
        </BrowserRouter>
      </SessionProvider>
    </AppDepsProvider>
  )
}
