import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, test } from 'vitest'
import type { TokenView } from '../../relay/contract'
import { RelayRequestError } from '../../web/auth/relay-client'
import { fakeRelay, TOKEN } from '../support/fake-relay'
import { fakeWithings } from '../support/fake-withings'
import { renderApp } from '../support/render-app'

const tokenFor = (access_token: string, scope = TOKEN.scope): TokenView => ({
  ...TOKEN,
  access_token,
  scope,
})

const panel = (name: string) => screen.findByRole('region', { name })

describe('Dashboard page', () => {
  test('is in the header navigation', async () => {
    renderApp('/', { relay: fakeRelay() })
    const nav = screen.getByRole('navigation', { name: 'Main' })
    expect(within(nav).getByRole('link', { name: 'Dashboard' })).toHaveAttribute(
      'href',
      '/dashboard',
    )
  })

  test('nobody connected: the Connect form, which brings the person back to /dashboard', async () => {
    const user = userEvent.setup()
    const relay = fakeRelay()
    const { goTo, pendingLogins } = renderApp('/dashboard', { relay })
    expect(screen.getByRole('status')).toHaveTextContent('Loading the dashboard…')
    await user.click(await screen.findByRole('button', { name: 'Connect Withings' }))
    await waitFor(() => expect(goTo).toHaveBeenCalledOnce())
    const state = new URL(goTo.mock.calls[0]?.[0] ?? '').searchParams.get('state') ?? ''
    expect(pendingLogins.take(state)).toMatchObject({ login: { returnTo: '/dashboard' } })
    expect(relay.withings).not.toHaveBeenCalled()
  })

  test('shows a loading state, then the latest weight and a named chart with its values', async () => {
    const user = userEvent.setup()
    let answer = () => {}
    const answered = new Promise<void>((resolve) => {
      answer = resolve
    })
    const withings = fakeWithings()
    const relay = fakeRelay({
      refresh: async () => TOKEN,
      withings: async (service, body) => {
        await answered
        return withings(service, body)
      },
    })
    renderApp('/dashboard', { relay })
    const weight = await panel('Weight')
    expect(within(weight).getByRole('status')).toHaveTextContent('Loading your weight…')
    expect(weight).toHaveAttribute('aria-busy', 'true')

    answer()
    await waitFor(() => expect(weight).toHaveAttribute('aria-busy', 'false'))
    expect(within(weight).getByText('65.75 kg', { selector: 'strong' })).toBeInTheDocument()
    const chart = within(weight).getByRole('img', { name: 'Weight, last 90 days' })
    expect(chart).toHaveAccessibleDescription(/3 weighings from .*: first 66.4 kg, latest 65.75 kg/)

    await user.click(within(weight).getByText('The values as a table'))
    const table = within(weight).getByRole('table', { name: 'Weight, last 90 days' })
    const cells = within(table)
      .getAllByRole('cell')
      .map((cell) => cell.textContent)
    expect(cells).toEqual(['65.75 kg', '66.12 kg', '66.4 kg'])
  })

  test('one panel per granted scope that has data to chart', async () => {
    const both = fakeRelay({ refresh: async () => TOKEN, withings: fakeWithings() })
    const { unmount } = renderApp('/dashboard', { relay: both })
    for (const name of ['Weight', 'Blood pressure', 'Steps per day', 'Sleep per night']) {
      expect(await panel(name)).toBeInTheDocument()
    }
    expect(await screen.findByText('121/79 mmHg', { selector: 'strong' })).toBeInTheDocument()
    expect(await screen.findByText('9,000 steps', { selector: 'strong' })).toBeInTheDocument()
    unmount()

    const metrics = tokenFor('metrics-only', 'user.metrics')
    const relay = fakeRelay({
      refresh: async () => metrics,
      withings: fakeWithings(metrics.scope),
    })
    renderApp('/dashboard', { relay })
    expect(await panel('Weight')).toBeInTheDocument()
    expect(await panel('Blood pressure')).toBeInTheDocument()
    await panel('What this connection can do')
    expect(screen.queryByRole('region', { name: 'Steps per day' })).not.toBeInTheDocument()
    expect(screen.queryByRole('region', { name: 'Sleep per night' })).not.toBeInTheDocument()
    const services = relay.withings.mock.calls.map(([service, body]) => `${service} ${body.action}`)
    expect(services).not.toContain('v2/measure getactivity')
  })

  test('says so when there is nothing to show', async () => {
    const relay = fakeRelay({
      refresh: async () => TOKEN,
      withings: async () => ({ status: 0, body: { measuregrps: [], activities: [], series: [] } }),
    })
    renderApp('/dashboard', { relay })
    const weight = await panel('Weight')
    expect(
      await within(weight).findByText('No weight measurements in the last 90 days.'),
    ).toBeInTheDocument()
    expect(
      await within(await panel('Steps per day')).findByText('No steps in the last 30 days.'),
    ).toBeInTheDocument()
  })

  test('a failure is a sentence with a retry that loads again', async () => {
    const user = userEvent.setup()
    const withings = fakeWithings()
    let down = true
    const relay = fakeRelay({
      refresh: async () => TOKEN,
      withings: async (service, body) => {
        if (down) throw new RelayRequestError('upstream_unavailable', 'down', { retryable: true })
        return withings(service, body)
      },
    })
    renderApp('/dashboard', { relay })
    const weight = await panel('Weight')
    expect(await within(weight).findByRole('alert')).toHaveTextContent(
      'Withings could not be reached just now.',
    )
    down = false
    await user.click(within(weight).getByRole('button', { name: 'Try again' }))
    expect(await within(weight).findByText('65.75 kg', { selector: 'strong' })).toBeInTheDocument()
    expect(within(weight).queryByRole('alert')).not.toBeInTheDocument()
  })

  test("Withings' refusal of a scope (status 214) is explained", async () => {
    const relay = fakeRelay({
      refresh: async () => TOKEN,
      withings: async () => ({ status: 214, body: {}, error: 'Unauthorized' }),
    })
    renderApp('/dashboard', { relay })
    expect(await within(await panel('Weight')).findByRole('alert')).toHaveTextContent(
      'Withings did not let this app read this data',
    )
  })

  test('an expired access token: one refresh for all panels, and each call retried once', async () => {
    const withings = fakeWithings()
    const issued = [tokenFor('token-a'), tokenFor('token-b')]
    const relay = fakeRelay({
      refresh: async () => issued.shift() ?? tokenFor('token-c'),
      withings: async (service, body, token) => {
        if (token === 'token-a') throw new RelayRequestError('token_expired', 'expired')
        return withings(service, body)
      },
    })
    renderApp('/dashboard', { relay })
    expect(
      await within(await panel('Weight')).findByText('65.75 kg', { selector: 'strong' }),
    ).toBeInTheDocument()
    await waitFor(() => expect(screen.queryAllByRole('status')).toHaveLength(0))

    const tokens = relay.withings.mock.calls.map((call) => call[2])
    const withA = tokens.filter((token) => token === 'token-a').length
    expect(withA).toBe(7) // 4 panels + 3 scope checks, once each despite StrictMode
    expect(tokens.filter((token) => token === 'token-b').length).toBe(withA)
    expect(relay.refresh).toHaveBeenCalledTimes(2) // the restore, then one for everyone
  })

  test('a retry refused again is not retried a second time: the problem is shown', async () => {
    let issued = 0
    const relay = fakeRelay({
      refresh: async () => tokenFor(`token-${++issued}`),
      withings: async () => {
        throw new RelayRequestError('token_expired', 'expired')
      },
    })
    renderApp('/dashboard', { relay })
    const weight = await panel('Weight')
    expect(await within(weight).findByRole('alert')).toHaveTextContent(
      'Your access to Withings expired.',
    )
    await waitFor(() => expect(screen.queryAllByRole('status')).toHaveLength(0))
    const weightCalls = relay.withings.mock.calls.filter(
      ([service, body]) => service === 'measure' && String(body.meastypes) === '1',
    )
    expect(weightCalls.map((call) => call[2])).toEqual(['token-1', 'token-2'])
    expect(relay.refresh).toHaveBeenCalledTimes(2)
  })

  test('what this connection can do: allowed, denied, and an honest "not checked"', async () => {
    const relay = fakeRelay({ refresh: async () => TOKEN, withings: fakeWithings(TOKEN.scope) })
    renderApp('/dashboard', { relay })
    const scopes = await panel('What this connection can do')
    const table = await within(scopes).findByRole('table')
    const row = (scope: string) =>
      within(table).getByRole('row', { name: new RegExp(`^${scope.replace('.', '\\.')} `) })
    expect(row('user.info')).toHaveTextContent(/User v2 - Getdevice\s*Denied/)
    expect(row('user.metrics')).toHaveTextContent(/Heart v2 - List\s*Allowed/)
    expect(row('user.activity')).toHaveTextContent(/Sleep v2 - Getsummary\s*Allowed/)
    expect(row('user.sleepevents')).toHaveTextContent(
      /Notify - Subscribe\s*Not checked: .*callback URL/,
    )
    const checked = relay.withings.mock.calls.map(([service, body]) => `${service} ${body.action}`)
    expect(checked).toEqual(expect.arrayContaining(['v2/user getdevice', 'v2/heart list']))
    expect(checked.some((call) => call.startsWith('notify'))).toBe(false)
  })
})
