import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, test } from 'vitest'
import { RelayRequestError } from '../../web/react/auth/relay-client'
import { fakeRelay, INFORMED, PUBLIC_CONFIG, SESSION } from '../support/fake-relay'
import { renderApp } from '../support/render-app'

const preview = () => screen.getByLabelText('Authorize URL preview').textContent ?? ''

describe('Connect page', () => {
  test("lists Withings' four scopes with what they allow; user.info needs a contract", async () => {
    renderApp('/', { relay: fakeRelay() })
    const scopes = await screen.findByRole('group', { name: 'Data this app may read' })
    const boxes = within(scopes).getAllByRole('checkbox')
    expect(boxes.map((box) => box.getAttribute('id'))).toEqual([
      'scope-user.info',
      'scope-user.metrics',
      'scope-user.activity',
      'scope-user.sleepevents',
    ])
    const info = screen.getByRole('checkbox', { name: 'user.info' })
    expect(info).not.toBeChecked()
    expect(info).toHaveAccessibleDescription(/Needs a Withings SDK contract/)
    expect(screen.getByRole('checkbox', { name: 'user.metrics' })).toHaveAccessibleDescription(
      /Measure - Getmeas/,
    )
  })

  test('previews the exact authorize URL, live', async () => {
    const user = userEvent.setup()
    renderApp('/', { relay: fakeRelay() })
    await screen.findByRole('button', { name: 'Connect Withings' })
    expect(preview()).toMatch(
      /^http:\/\/127\.0\.0\.1:9999\/oauth2_user\/authorize2\?response_type=code&client_id=demo-client&scope=user\.metrics,user\.activity&redirect_uri=http%3A%2F%2Flocalhost%3A3000%2Fcallback&state=[A-Za-z0-9_-]{43}$/,
    )
    await user.click(screen.getByRole('checkbox', { name: 'user.sleepevents' }))
    await user.click(screen.getByRole('switch', { name: 'Use the Withings demo user' }))
    expect(preview()).toContain('scope=user.metrics,user.activity,user.sleepevents&')
    expect(preview()).toMatch(/&mode=demo$/)
  })

  test('refuses to connect with no scope chosen', async () => {
    const user = userEvent.setup()
    renderApp('/', { relay: fakeRelay() })
    await user.click(await screen.findByRole('checkbox', { name: 'user.metrics' }))
    await user.click(screen.getByRole('checkbox', { name: 'user.activity' }))
    expect(screen.getByRole('button', { name: 'Connect Withings' })).toBeDisabled()
    expect(screen.getByText('Choose at least one kind of data to connect.')).toBeInTheDocument()
  })

  test('Connect keeps the state, binds it at the relay, then opens that very URL', async () => {
    const user = userEvent.setup()
    const relay = fakeRelay()
    const { navigate, pendingLogins } = renderApp('/', { relay })
    await user.click(await screen.findByRole('switch', { name: 'Use the Withings demo user' }))
    const shown = preview()
    await user.click(screen.getByRole('button', { name: 'Connect Withings' }))
    await waitFor(() => expect(navigate).toHaveBeenCalledWith(shown))
    const state = new URL(shown).searchParams.get('state') ?? ''
    expect(relay.login).toHaveBeenCalledWith(state)
    expect(relay.login.mock.invocationCallOrder[0]).toBeLessThan(
      navigate.mock.invocationCallOrder[0] ?? 0,
    )
    expect(pendingLogins.take(state)).toMatchObject({
      status: 'found',
      login: { returnTo: '/', scopes: ['user.metrics', 'user.activity'], demo: true },
    })
  })

  test('works from the keyboard alone', async () => {
    const user = userEvent.setup()
    const { navigate } = renderApp('/', { relay: fakeRelay() })
    await screen.findByRole('button', { name: 'Connect Withings' })
    const button = screen.getByRole('button', { name: 'Connect Withings' })
    for (let i = 0; i < 12 && document.activeElement !== button; i++) await user.tab()
    expect(button).toHaveFocus()
    await user.keyboard('{Enter}')
    await waitFor(() => expect(navigate).toHaveBeenCalledOnce())
  })

  test('a relay failure is a sentence with a next step, and nothing opens', async () => {
    const user = userEvent.setup()
    const relay = fakeRelay({
      login: async () => {
        throw new RelayRequestError('forbidden_origin', 'nope')
      },
    })
    const { navigate } = renderApp('/', { relay })
    await user.click(await screen.findByRole('button', { name: 'Connect Withings' }))
    expect(await screen.findByRole('alert')).toHaveTextContent(/ALLOWED_ORIGINS must list it/)
    expect(navigate).not.toHaveBeenCalled()
  })

  test('says when the settings cannot load, and retries', async () => {
    const user = userEvent.setup()
    let fail = true
    const relay = fakeRelay({
      config: async () => {
        if (fail) throw new RelayRequestError('network_error', 'down')
        return PUBLIC_CONFIG
      },
    })
    renderApp('/', { relay })
    expect(await screen.findByRole('alert')).toHaveTextContent(/could not be reached/)
    fail = false
    await user.click(screen.getByRole('button', { name: 'Try again' }))
    expect(await screen.findByRole('button', { name: 'Connect Withings' })).toBeEnabled()
  })

  test('a restored session shows who is connected, which scopes, until when', async () => {
    const relay = fakeRelay({ session: async () => SESSION })
    renderApp('/', { relay })
    expect(
      await screen.findByRole('heading', { name: 'Connected as Withings user 363' }),
    ).toBeInTheDocument()
    expect(screen.getByText('user.metrics')).toBeInTheDocument()
    expect(screen.getByText(/in 2 h 59 min|in 3 h 0 min/)).toBeInTheDocument()
    expect(relay.session).toHaveBeenCalledOnce()
  })

  test('Disconnect that reached Withings says so, and shows the Connect form', async () => {
    const user = userEvent.setup()
    const relay = fakeRelay({ session: async () => SESSION })
    renderApp('/', { relay })
    await user.click(await screen.findByRole('button', { name: 'Disconnect' }))
    expect(
      await screen.findByText(
        'Disconnected. Withings was told too: this app can no longer read your data.',
      ),
    ).toHaveAttribute('role', 'status')
    expect(screen.getByRole('button', { name: 'Connect Withings' })).toBeEnabled()
    expect(relay.logout).toHaveBeenCalledOnce()
  })

  test('Disconnect that could not reach Withings says so, and offers to tell Withings again', async () => {
    const user = userEvent.setup()
    const relay = fakeRelay({
      session: async () => SESSION,
      logout: async () => ({ withings_informed: false, revoke_ticket: 'ticket-1' }),
      revoke: async () => INFORMED,
    })
    renderApp('/', { relay })
    await user.click(await screen.findByRole('button', { name: 'Disconnect' }))
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('Withings could not be told just now')
    expect(screen.getByRole('button', { name: 'Connect Withings' })).toBeEnabled()
    await user.click(within(alert).getByRole('button', { name: 'Tell Withings again' }))
    expect(relay.revoke).toHaveBeenCalledWith('ticket-1')
    expect(await screen.findByText(/Withings was told too/)).toHaveAttribute('role', 'status')
  })

  test('Disconnect failing at the relay keeps the connection, with a sentence and a retry', async () => {
    const user = userEvent.setup()
    let down = true
    const relay = fakeRelay({
      session: async () => SESSION,
      logout: async () => {
        if (down) throw new RelayRequestError('network_error', 'down')
        return INFORMED
      },
    })
    renderApp('/', { relay })
    await user.click(await screen.findByRole('button', { name: 'Disconnect' }))
    expect(await screen.findByRole('alert')).toHaveTextContent(/could not be reached/)
    expect(
      screen.getByRole('heading', { name: 'Connected as Withings user 363' }),
    ).toBeInTheDocument()
    down = false
    await user.click(screen.getByRole('button', { name: 'Try again' }))
    expect(await screen.findByRole('button', { name: 'Connect Withings' })).toBeEnabled()
  })

  test('Disconnect the relay could not record: "Disconnect did not complete", still connected, and a retry that completes it', async () => {
    const user = userEvent.setup()
    let recorded = false
    const relay = fakeRelay({
      session: async () => SESSION,
      logout: async () => {
        if (recorded) return INFORMED
        recorded = true
        throw new RelayRequestError('disconnect_incomplete', 'not recorded')
      },
    })
    renderApp('/', { relay })
    await user.click(await screen.findByRole('button', { name: 'Disconnect' }))
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent(
      'Disconnect did not complete: this app could not record it just now, so you are still connected. Try again in a moment.',
    )
    expect(
      screen.getByRole('heading', { name: 'Connected as Withings user 363' }),
    ).toBeInTheDocument()
    await user.click(within(alert).getByRole('button', { name: 'Try again' }))
    expect(await screen.findByText(/Withings was told too/)).toHaveAttribute('role', 'status')
    expect(relay.logout).toHaveBeenCalledTimes(2)
  })

  test('a session the relay cannot check just now: its sentence and a retry that restores it', async () => {
    const user = userEvent.setup()
    let down = true
    const relay = fakeRelay({
      session: async () => {
        if (down) throw new RelayRequestError('upstream_unavailable', 'down')
        return SESSION
      },
    })
    renderApp('/', { relay })
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Withings could not be reached just now.',
    )
    down = false
    await user.click(screen.getByRole('button', { name: 'Try again' }))
    expect(
      await screen.findByRole('heading', { name: 'Connected as Withings user 363' }),
    ).toBeInTheDocument()
  })
})

describe('Connect page at the wrong address', () => {
  test('says where the app must be opened, since Withings sends people back there', async () => {
    const relay = fakeRelay({
      config: async () => ({ ...PUBLIC_CONFIG, redirect_uri: 'https://app.example.com/callback' }),
    })
    renderApp('/', { relay })
    const alert = await screen.findByRole('alert')
    expect(alert).toHaveTextContent('This app is set up for https://app.example.com')
    expect(within(alert).getByRole('link', { name: 'https://app.example.com' })).toHaveAttribute(
      'href',
      'https://app.example.com/',
    )
  })
})
