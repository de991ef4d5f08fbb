import { BrowserRouter, Link, Route, Routes } from 'react-router-dom'
import { type AppDeps, AppDepsProvider } from './app-deps'
import type { SessionStore } from './auth/session-store'
import { SessionProvider } from './auth/use-session'
import { CallbackPage } from './pages/CallbackPage'
import { ConnectPage } from './pages/ConnectPage'
import { NotFoundPage } from './pages/NotFoundPage'

export function AppRoutes() {
  return (
    <>
      <header className="top">
        <Link to="/" className="brand">
          withings-link
        </Link>
      </header>
      <main>
        <Routes>
          <Route path="/" element={<ConnectPage />} />
          <Route path="/callback" element={<CallbackPage />} />
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
