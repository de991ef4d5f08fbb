import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'
import { createPendingLogins } from './auth/pending-logins'
import { createRelayClient } from './auth/relay-client'
import { createSessionChannel } from './auth/session-channel'
import { createSessionStore } from './auth/session-store'
import './ui/app.css'

// The relay is on the SPA's own origin unless VITE_RELAY_URL names another one at build time.
const relay = createRelayClient(import.meta.env.VITE_RELAY_URL ?? '')
const store = createSessionStore({ relay, channel: createSessionChannel() })
const deps = {
  relay,
  pendingLogins: createPendingLogins(sessionStorage),
  goTo: (url: string) => window.location.assign(url),
}

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element')
createRoot(root).render(
  <StrictMode>
    {/* The callback page starts its own exchange; restoring there would race it. */}
    <App deps={deps} store={store} restore={window.location.pathname !== '/callback'} />
  </StrictMode>,
)
