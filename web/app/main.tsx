import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { createWithingsLink, WithingsLinkProvider } from 'withings-link/react'
import { App, CALLBACK_PATH } from './App'
import './ui/app.css'

// The relay is on the SPA's own origin unless VITE_RELAY_URL names another at build time.
const withings = createWithingsLink({ relayUrl: import.meta.env.VITE_RELAY_URL ?? '' })
// Back from Withings, the code's 30 s are running: the exchange starts now, before React's
// first render, and the callback page joins it.
if (window.location.pathname === CALLBACK_PATH) void withings.completeCallback()

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element')
createRoot(root).render(
  <StrictMode>
    <WithingsLinkProvider kit={withings}>
      <App />
    </WithingsLinkProvider>
  </StrictMode>,
)
