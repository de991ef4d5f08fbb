import { screen, waitFor, within } from '@testing-library/react'
import { describe, expect, test, vi } from 'vitest'
import { ERROR_CODES, type ErrorCode } from '../../relay/contract/wire-contract'
import { createPendingLogins } from '../../web/react/auth/pending-logins'
import { RelayRequestError } from '../../web/react/auth/relay-client'
import { explain } from '../../web/react/copy/error-messages'
import { fakeRelay, SESSION } from '../support/fake-relay'
import { renderApp } from '../support/render-app'

const STATE = 'S'.repeat(43)

function pendingLogin(state = STATE, createdAt = Date.now(), returnTo = '/') {
  createPendingLogins(sessionStorage).save({
    state,
    createdAt,
    returnTo,
    scopes: ['user.metrics'],
    demo: true,
  })
}

describe('Callback page', () => {
  test('scrubs code and state from the address bar before anything else', async () => {
    pendingLogin()
    let searchDuringExchange = 'not called'
    const relay = fakeRelay({
      exchange: async (code, state) => {
        searchDuringExchange = window.location.search
        return fakeRelay().exchange(code, state)
      },
    })
    renderApp(`/callback?code=the-code&state=${STATE}`, { relay })
    await screen.findByRole('heading', { name: 'Connected as Withings user 363' })
    expect(searchDuringExchange).toBe('')
    expect(window.location.href).not.toContain('the-code')
  })

  test('exchanges exactly once under StrictMode, then returns to where the person started', async () => {
    pendingLogin(STATE, Date.now(), '/?from=start')
    const relay = fakeRelay()
    renderApp(`/callback?code=the-code&state=${STATE}`, { relay })
    await screen.findByRole('heading', { name: 'Connected as Withings user 363' })
    expect(relay.exchange).toHaveBeenCalledTimes(1)
    expect(relay.exchange).toHaveBeenCalledWith('the-code', STATE)
    expect(window.location.pathname + window.location.search).toBe('/?from=start')
  })

  test('shows progress against the 30-second budget while exchanging', async () => {
    pendingLogin()
    const relay = fakeRelay({ exchange: () => new Promise(() => {}) })
    renderApp(`/callback?code=c0de-c0de&state=${STATE}`, { relay })
    const budget = await screen.findByRole('progressbar', {
      name: "Time used of Withings' 30-second code",
    })
    expect(budget).toHaveAttribute('max', '30')
    expect(screen.getByRole('status')).toHaveTextContent("Exchanging Withings' one-time code")
  })

  test.each([
    [
      'an unknown state',
      () => pendingLogin('T'.repeat(43)),
      /already used, or it was not started in this browser tab/,
    ],
    [
      'no pending login at all',
      () => {},
      /already used, or it was not started in this browser tab/,
    ],
    [
      'an expired state',
      () => pendingLogin(STATE, Date.now() - 11 * 60_000),
      /more than 10 minutes ago/,
    ],
  ])('fails closed on %s, without calling the relay', async (_, arrange, sentence) => {
    arrange()
    const relay = fakeRelay()
    renderApp(`/callback?code=the-code&state=${STATE}`, { relay })
    expect(await screen.findByRole('alert')).toHaveTextContent(sentence)
    expect(screen.getByRole('link', { name: 'Connect again' })).toBeInTheDocument()
    expect(relay.exchange).not.toHaveBeenCalled()
  })

  test('a state is single use: the same callback a second time does not exchange', async () => {
    pendingLogin()
    const relay = fakeRelay()
    const first = renderApp(`/callback?code=the-code&state=${STATE}`, { relay })
    await screen.findByRole('heading', { name: 'Connected as Withings user 363' })
    first.unmount()
    renderApp(`/callback?code=the-code&state=${STATE}&again=1`, { relay })
    expect(await screen.findByRole('alert')).toHaveTextContent(/already used/)
    expect(relay.exchange).toHaveBeenCalledTimes(1)
  })

  test('missing parameters are explained', async () => {
    const relay = fakeRelay()
    renderApp('/callback', { relay })
    expect(await screen.findByRole('alert')).toHaveTextContent(/holds no sign-in result/)
    expect(relay.exchange).not.toHaveBeenCalled()
  })

  test('Deny: a plain sentence and a way to try again', async () => {
    pendingLogin()
    const relay = fakeRelay()
    renderApp(`/callback?error=access_denied&state=${STATE}`, { relay })
    expect(await screen.findByRole('heading', { name: 'Access declined' })).toBeInTheDocument()
    expect(screen.getByRole('alert')).toHaveTextContent(
      'You declined access to your Withings data, so nothing was connected.',
    )
    expect(screen.getByRole('link', { name: 'Connect again' })).toHaveAttribute('href', '/')
    expect(relay.exchange).not.toHaveBeenCalled()
    expect(window.location.search).toBe('')
  })

  // Every code the relay can answer, and the two of the page's own: each gets its sentence and
  // the way on. A code works once, so on the callback that is always "Connect again".
  const problems = [
    ...(Object.keys(ERROR_CODES) as ErrorCode[]),
    'network_error',
    'unexpected_response',
  ] as const
  test.each(problems)(
    'the exchange failing with %s: its sentence, and "Connect again"',
    async (code) => {
      pendingLogin(STATE, Date.now(), '/dashboard')
      const relay = fakeRelay({
        exchange: async () => {
          throw new RelayRequestError(code, 'developer text')
        },
      })
      renderApp(`/callback?code=the-code&state=${STATE}`, { relay })
      const alert = await screen.findByRole('alert')
      expect(alert).toHaveTextContent(explain(code).sentence)
      expect(alert).not.toHaveTextContent('developer text')
      const again = within(alert).getByRole('link', { name: 'Connect again' })
      expect(again).toHaveAttribute('href', '/dashboard')
    },
  )

  test('an exchange failing with no relay code (a custom relay client) still ends in a sentence', async () => {
    pendingLogin(STATE, Date.now(), '/dashboard')
    const relay = fakeRelay({
      exchange: async () => {
        throw new TypeError('fetch is not a function')
      },
    })
    renderApp(`/callback?code=the-code&state=${STATE}`, { relay })
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent(explain('unexpected_response').sentence)
    expect(alert).not.toHaveTextContent('fetch is not a function')
    expect(within(alert).getByRole('link', { name: 'Connect again' })).toHaveAttribute(
      'href',
      '/dashboard',
    )
  })

  test('Withings asking to wait on the exchange (601): "Connect again" once the wait is over', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    try {
      pendingLogin()
      const relay = fakeRelay({
        exchange: async () => {
          throw new RelayRequestError('rate_limited', 'slow down', { retryAfter: 3 })
        },
      })
      renderApp(`/callback?code=the-code&state=${STATE}`, { relay })
      const alert = await screen.findByRole('alert')
      expect(alert).toHaveTextContent('Please wait 3 seconds')
      expect(within(alert).getByRole('button', { name: /Connect again in [23] s/ })).toBeDisabled()
      expect(within(alert).queryByRole('link', { name: 'Connect again' })).toBeNull()
      await vi.advanceTimersByTimeAsync(3_500)
      expect(await within(alert).findByRole('link', { name: 'Connect again' })).toHaveAttribute(
        'href',
        '/',
      )
    } finally {
      vi.useRealTimers()
    }
  })

  test('after a failed callback, an earlier session is found and mentioned', async () => {
    const relay = fakeRelay({ session: async () => SESSION })
    renderApp(`/callback?code=the-code&state=${STATE}`, { relay })
    await waitFor(() =>
      expect(screen.getByText(/You are still connected from before/)).toBeInTheDocument(),
    )
  })
})
