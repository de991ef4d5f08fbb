import { render } from '@testing-library/react'
import { StrictMode } from 'react'
import { vi } from 'vitest'
import { App } from '../../web/App'
import { createPendingLogins } from '../../web/auth/pending-logins'
import type { RelayClient } from '../../web/auth/relay-client'
import type { SessionChannel } from '../../web/auth/session-channel'
import { createSessionStore } from '../../web/auth/session-store'

const silentChannel: SessionChannel = { post() {}, listen: () => () => {} }

/** Renders the whole SPA at `path`, in StrictMode as in development, with a fake relay. */
export function renderApp(
  path: string,
  { relay, restore = true }: { relay: RelayClient; restore?: boolean },
) {
  window.history.replaceState(null, '', path)
  const pendingLogins = createPendingLogins(sessionStorage)
  const goTo = vi.fn<(url: string) => void>()
  const store = createSessionStore({ relay, channel: silentChannel, lock: (task) => task() })
  const view = render(
    <StrictMode>
      <App deps={{ relay, pendingLogins, goTo }} store={store} restore={restore} />
    </StrictMode>,
  )
  return { ...view, goTo, store, pendingLogins }
}
