import { render } from '@testing-library/react'
import { StrictMode } from 'react'
import { vi } from 'vitest'
import { App } from '../../web/app/App'
import { createPendingLogins } from '../../web/react/auth/pending-logins'
import type { RelayClient } from '../../web/react/auth/relay-client'
import type { SessionChannel } from '../../web/react/auth/session-channel'
import { WithingsLinkProvider } from '../../web/react/provider'
import { type FakeEventSources, fakeEventSources } from './fake-event-source'

const silentChannel: SessionChannel = { post() {}, listen: () => () => {} }

/**
 * Renders the whole SPA at `path`, in StrictMode as in development, with a fake relay and fake
 * EventSources for its live stream.
 */
export function renderApp(
  path: string,
  { relay, events = fakeEventSources() }: { relay: RelayClient; events?: FakeEventSources },
) {
  window.history.replaceState(null, '', path)
  const navigate = vi.fn<(url: string) => void>()
  const options = {
    relay,
    navigate,
    channel: silentChannel,
    lock: <T,>(task: () => Promise<T>) => task(),
    eventSource: events.open,
  }
  const view = render(
    <StrictMode>
      <WithingsLinkProvider {...options}>
        <App />
      </WithingsLinkProvider>
    </StrictMode>,
  )
  // The same tab's sessionStorage the kit saved its pending logins in.
  return { ...view, navigate, events, pendingLogins: createPendingLogins(sessionStorage) }
}
