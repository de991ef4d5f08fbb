import '@testing-library/jest-dom/vitest'
import { act, screen, waitFor } from '@testing-library/react'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { fakeRelay, sessionView } from '../support/fake-relay'
import { renderApp } from '../support/render-app'

// WithingsLinkProvider renews a session that came due while the tab slept or was offline: when
// the tab is shown again, or the network comes back, and only then.

const visibility = (state: DocumentVisibilityState) =>
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state })

// The tab's clock is faked (Date only: timers stay real) before the kit reads it.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
})
afterEach(() => {
  visibility('visible')
  vi.useRealTimers()
})

/** The tab's clock jumps past the session's refresh moment, as after a night asleep. */
function sleepThroughRefresh() {
  vi.setSystemTime(Date.now() + 3 * 3_600_000)
}

describe('the provider, when the tab wakes up', () => {
  test('renews a due session when shown or back online, not while hidden, and stops with the page', async () => {
    const relay = fakeRelay({ session: async () => sessionView(10_800) })
    const { unmount } = renderApp('/', { relay })
    await screen.findByRole('button', { name: 'Disconnect' })
    const asked = relay.session.mock.calls.length
    sleepThroughRefresh()

    visibility('hidden')
    act(() => {
      document.dispatchEvent(new Event('visibilitychange'))
    })
    expect(relay.session).toHaveBeenCalledTimes(asked)

    visibility('visible')
    act(() => {
      document.dispatchEvent(new Event('visibilitychange'))
    })
    await waitFor(() => expect(relay.session).toHaveBeenCalledTimes(asked + 1))

    sleepThroughRefresh()
    act(() => {
      window.dispatchEvent(new Event('online'))
    })
    await waitFor(() => expect(relay.session).toHaveBeenCalledTimes(asked + 2))

    sleepThroughRefresh()

    unmount()
    document.dispatchEvent(new Event('visibilitychange'))
    window.dispatchEvent(new Event('online'))
    await Promise.resolve()
    expect(relay.session).toHaveBeenCalledTimes(asked + 2)
  })

  test('leaves a session that is not due alone', async () => {
    const relay = fakeRelay({ session: async () => sessionView(10_800) })
    renderApp('/', { relay })
    await screen.findByRole('button', { name: 'Disconnect' })
    const asked = relay.session.mock.calls.length
    act(() => {
      document.dispatchEvent(new Event('visibilitychange'))
      window.dispatchEvent(new Event('online'))
    })
    await Promise.resolve()
    expect(relay.session).toHaveBeenCalledTimes(asked)
  })
})
