import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { WithingsLinkProvider } from 'withings-link/react'
import { App } from './App'
import './ui/app.css'

const root = document.getElementById('root')
if (!root) throw new Error('index.html has no #root element')
createRoot(root).render(
  <StrictMode>
    {/* The relay is on the SPA's own origin unless VITE_RELAY_URL names another at build time. */}
    <WithingsLinkProvider relayUrl={import.meta.env.VITE_RELAY_URL ?? ''}>
      <App />
    </WithingsLinkProvider>
  </StrictMode>,
)
