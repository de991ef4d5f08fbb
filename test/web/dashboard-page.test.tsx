import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, test } from 'vitest'
import { ERROR_CODES, type ErrorCode } from '../../relay/contract/wire-contract'
import { RelayRequestError } from '../../web/react/auth/relay-client'
import { explain } from '../../web/react/copy/error-messages'
import {
  bodyScanMetabolismGroup,
  lastPageWithoutMore,
  undocumentedAttribGroups,
} from '../fixtures/withings/getmeas'
import { fakeRelay, SESSION, sessionView } from '../support/fake-relay'
import { fakeWithings } from '../support/fake-withings'
import { renderApp } from '../support/render-app'

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
    const { navigate, pendingLogins } = renderApp('/dashboard', { relay })
    expect(screen.getByRole('status')).toHaveTextContent('Loading the dashboard…')
    await user.click(await screen.findByRole('button', { name: 'Connect Withings' }))
    await waitFor(() => expect(navigate).toHaveBeenCalledOnce())
    const state = new URL(navigate.mock.calls[0]?.[0] ?? '').searchParams.get('state') ?? ''
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
      session: async () => SESSION,
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

  test('recorded shapes: a Body Scan 2’s undocumented groups and a weighing sent twice make no second weight', async () => {
    const withings = fakeWithings()
    const measuregrps = [
      ...undocumentedAttribGroups,
      bodyScanMetabolismGroup,
      ...lastPageWithoutMore.body.measuregrps,
    ]
    const relay = fakeRelay({
      session: async () => SESSION,
      withings: async (service, body) => {
        if (service === 'measure' && String(body.meastypes) === '1') {
          return { status: 0, body: { measuregrps } }
        }
        return withings(service, body)
      },
    })
    renderApp('/dashboard', { relay })
    const weight = await panel('Weight')
    await waitFor(() => expect(weight).toHaveAttribute('aria-busy', 'false'))
    const chart = within(weight).getByRole('img', { name: 'Weight, last 90 days' })
    expect(chart).toHaveAccessibleDescription(/^2 weighings from .*: first 118 kg, latest 95.91 kg/)
    expect(within(weight).getByText('95.91 kg', { selector: 'strong' })).toBeInTheDocument()
    expect(within(weight).queryByText(/98.41/)).toBeNull()
  })

  test('one panel per granted scope that has data to chart', async () => {
    const both = fakeRelay({ session: async () => SESSION, withings: fakeWithings() })
    const { unmount } = renderApp('/dashboard', { relay: both })
    for (const name of ['Weight', 'Blood pressure', 'Steps per day', 'Sleep per night']) {
      expect(await panel(name)).toBeInTheDocument()
    }
    expect(await screen.findByText('121/79 mmHg', { selector: 'strong' })).toBeInTheDocument()
    expect(await screen.findByText('9,000 steps', { selector: 'strong' })).toBeInTheDocument()
    unmount()

    const metrics = sessionView(10_800, 'user.metrics')
    const relay = fakeRelay({
      session: async () => metrics,
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
      session: async () => SESSION,
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
      session: async () => SESSION,
      withings: async (service, body) => {
        if (down) throw new RelayRequestError('upstream_unavailable', 'down')
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

  test('Withings refusing a scope the session names: the panel says so, the scope table "Denied"', async () => {
    const relay = fakeRelay({
      session: async () => SESSION,
      withings: fakeWithings('user.activity'),
    })
    renderApp('/dashboard', { relay })
    expect(await within(await panel('Weight')).findByRole('alert')).toHaveTextContent(
      explain('scope_denied').sentence,
    )
    const scopes = await panel('What this connection can do')
    const row = await within(scopes).findByRole('row', { name: /^user\.metrics / })
    expect(row).toHaveTextContent(/Denied: Withings refused it/)
  })

  // Every code a data call can end with: each panel says it and offers the way on.
  const problems = [
    ...(Object.keys(ERROR_CODES) as ErrorCode[]).filter((code) => code !== 'session_expired'),
    'network_error',
    'unexpected_response',
  ] as const
  test.each(problems)('a data call failing with %s: its sentence and a control', async (code) => {
    const relay = fakeRelay({
      session: async () => SESSION,
      withings: async () => {
        throw new RelayRequestError(code, 'developer text')
      },
    })
    renderApp('/dashboard', { relay })
    const alert = await within(await panel('Weight')).findByRole('alert')
    expect(alert).toHaveTextContent(explain(code).sentence)
    expect(alert).not.toHaveTextContent('developer text')
    const controls = [
      ...within(alert).queryAllByRole('button', { name: 'Try again' }),
      ...within(alert).queryAllByRole('link', { name: 'Connect again' }),
    ]
    expect(controls).toHaveLength(1)
  })

  test('a data call finding the session gone: the whole page shows the Connect form, once', async () => {
    const relay = fakeRelay({
      session: async () => SESSION,
      withings: async () => {
        throw new RelayRequestError('session_expired', 'gone')
      },
    })
    renderApp('/dashboard', { relay })
    expect(await screen.findByRole('button', { name: 'Connect Withings' })).toBeEnabled()
    expect(screen.getByRole('alert')).toHaveTextContent('Your Withings connection has ended.')
    expect(screen.queryByRole('region', { name: 'Weight' })).toBeNull()
  })

  test('what this connection can do: allowed, and denied without a call when not granted', async () => {
    const relay = fakeRelay({ session: async () => SESSION, withings: fakeWithings(SESSION.scope) })
    renderApp('/dashboard', { relay })
    const scopes = await panel('What this connection can do')
    const table = await within(scopes).findByRole('table')
    const row = (scope: string) =>
      within(table).getByRole('row', { name: new RegExp(`^${scope.replace('.', '\\.')} `) })
    expect(row('user.info')).toHaveTextContent(
      /User v2 - Getdevice\s*Denied: this connection was not granted it/,
    )
    expect(row('user.metrics')).toHaveTextContent(/Heart v2 - List\s*Allowed/)
    expect(row('user.activity')).toHaveTextContent(/Sleep v2 - Getsummary\s*Allowed/)
    expect(row('user.sleepevents')).toHaveTextContent(
      /Notify - Subscribe\s*Denied: this connection was not granted it/,
    )
    // A scope not granted costs no call: Withings would refuse it, and count it.
    const checked = relay.withings.mock.calls.map(([service, body]) => `${service} ${body.action}`)
    expect(checked).toEqual(expect.arrayContaining(['v2/heart list', 'v2/sleep getsummary']))
    expect(checked).not.toContain('v2/user getdevice')
    expect(checked.some((call) => call.startsWith('notify'))).toBe(false)
    expect(relay.notifications).not.toHaveBeenCalled()
  })
})
