import { lazy, Suspense } from 'react'
import { BrowserRouter, Link, NavLink, Route, Routes } from 'react-router-dom'
import { WithingsCallback, WithingsSessionRoute } from 'withings-link/react'
import { ConnectPage } from './pages/ConnectPage'
import { NotFoundPage } from './pages/NotFoundPage'

/** The redirect URI's path, where Withings sends the person back (WITHINGS_REDIRECT_URI). */
export const CALLBACK_PATH = '/callback'

// The dashboard (charts, data parsers) loads only when visited: the first load stays small.
const DashboardPage = lazy(() => import('./pages/DashboardPage'))

function AppRoutes() {
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
          <Route path={CALLBACK_PATH} element={<WithingsCallback />} />
          <Route element={<WithingsSessionRoute />}>
            <Route path="/" element={<ConnectPage />} />
            <Route
              path="/dashboard"
              element={
                <Suspense fallback={<p role="status">Loading the dashboard…</p>}>
                  <DashboardPage />
                </Suspense>
              }
            />
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Routes>
      </main>
    </>
  )
}

/** The demo app: a header, the Connect page, the callback, the dashboard. */
export function App() {
  return (
    <BrowserRouter>
      <AppRoutes />
    </BrowserRouter>
  )
}
