import '@testing-library/jest-dom/vitest'
import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, test } from 'vitest'
import {
  categoriesOf,
  type DataService,
  type NotifyCategoryStatus,
  type NotifyStatus,
} from '../../relay/contract/wire-contract'
import { formatMoment } from '../../web/app/data/format'
import { fakeEventSources } from '../support/fake-event-source'
import { fakeRelay, sessionView } from '../support/fake-relay'
import { fakeWithings } from '../support/fake-withings'
import { renderApp } from '../support/render-app'

// The dashboard's live parts: the bed as the Sleep Analyzer reports it, panels that re-read
// their data when Withings notifies their category, the stream's reconnecting state, and the
// scope table's notifications row. The relay and the browser's EventSource are replaced at the
// edge; the test plays the relay's stream.

const ALL = 'user.metrics,user.activity,user.sleepevents'
const panel = (name: string) => screen.findByRole('region', { name })

function statusOf(
  scope: string,
  state: (category: { appli: number }) => NotifyCategoryStatus['state'] | 'callback_unreachable',
): NotifyStatus {
  return {
    categories: categoriesOf(scope).map(({ appli, scope }) => {
      const outcome = state({ appli })
      return outcome === 'callback_unreachable'
        ? { appli, scope, state: 'failed', reason: outcome }
        : ({ appli, scope, state: outcome } as NotifyCategoryStatus)
    }),
  }
}

function setup(scope = ALL, overrides: Parameters<typeof fakeRelay>[0] = {}) {
  const events = fakeEventSources()
  const relay = fakeRelay({
    session: async () => sessionView(10_800, scope),
    withings: fakeWithings(scope),
    notifications: async () => statusOf(scope, () => 'subscribed'),
    ...overrides,
  })
  const view = renderApp('/dashboard', { relay, events })
  return { ...view, relay, events }
}

/** The stream the dashboard opened, accepted by the relay. */
async function openStream(events: ReturnType<typeof fakeEventSources>) {
  await waitFor(() => expect(() => events.current).not.toThrow())
  const source = events.current
  act(() => source.accept())
  return source
}

const calls = (relay: ReturnType<typeof fakeRelay>, service: DataService, action: string) =>
  relay.withings.mock.calls.filter(([s, body]) => s === service && body.action === action).length

describe('the live dashboard', () => {
  test('the bed, live: in bed since, then out of bed at, said politely without moving the focus', async () => {
    const user = userEvent.setup()
    const { events } = setup()
    const bed = await panel('Bed')
    const status = within(bed).getByRole('status')
    expect(status).toHaveTextContent('Nothing yet')
    const source = await openStream(events)
    expect(source.url).toBe('/api/events')

    const link = screen.getByRole('link', { name: 'Dashboard' })
    await user.click(document.body)
    link.focus()
    const night = Math.floor(Date.now() / 1000) - 3_600
    act(() => source.send('notify', { appli: 50, kind: 'bed_in', date: night }, 'id-1'))
    expect(status).toHaveTextContent(`In bed since ${formatMoment(night * 1000)}`)
    expect(document.activeElement).toBe(link)

    const morning = night + 1_800
    act(() => source.send('notify', { appli: 51, kind: 'bed_out', date: morning }, 'id-2'))
    expect(status).toHaveTextContent(`Out of bed at ${formatMoment(morning * 1000)}`)
    // A late retry of the older event changes nothing.
    act(() => source.send('notify', { appli: 50, kind: 'bed_in', date: night }, 'id-3'))
    expect(status).toHaveTextContent('Out of bed at')

    act(() => source.send('notify', { appli: 52, kind: 'inflate_done', date: night - 60 }, 'id-4'))
    expect(bed).toHaveTextContent(
      `Sleep Analyzer set up (inflated at ${formatMoment((night - 60) * 1000)})`,
    )
  })

  test('a panel re-reads its data when its category is notified, keeping its chart meanwhile: "Updated just now"', async () => {
    const base = fakeWithings(ALL)
    let weighed = false
    let answer = () => {}
    const { events, relay } = setup(ALL, {
      withings: async (service, body) => {
        if (!weighed || service !== 'measure' || String(body.meastypes) !== '1') {
          return base(service, body)
        }
        await new Promise<void>((resolve) => {
          answer = resolve
        })
        const groups = [
          {
            grpid: 999,
            attrib: 0,
            date: Math.floor(Date.now() / 1000),
            category: 1,
            measures: [{ value: 64_900, type: 1, unit: -3 }],
          },
        ]
        const before = (await base(service, body)) as { body: { measuregrps: unknown[] } }
        return {
          status: 0,
          body: { ...before.body, measuregrps: [...groups, ...before.body.measuregrps] },
        }
      },
    })
    const weight = await panel('Weight')
    await within(weight).findByText('65.75 kg', { selector: 'strong' })
    const source = await openStream(events)
    const before = calls(relay, 'measure', 'getmeas')

    weighed = true
    const now = Math.floor(Date.now() / 1000)
    act(() => source.send('notify', { appli: 1, kind: 'data', startdate: now, enddate: now + 1 }))
    await waitFor(() => expect(calls(relay, 'measure', 'getmeas')).toBe(before + 1))
    // While it reads again, the chart stays.
    expect(within(weight).getByRole('img', { name: 'Weight, last 90 days' })).toBeInTheDocument()
    expect(weight).toHaveAttribute('aria-busy', 'false')
    act(() => answer())
    expect(await within(weight).findByText('64.9 kg', { selector: 'strong' })).toBeInTheDocument()
    expect(within(weight).getByText('Updated just now')).toHaveAttribute('role', 'status')
    // Other panels did not re-read.
    expect(within(await panel('Blood pressure')).queryByText('Updated just now')).toBeNull()
    expect(calls(relay, 'v2/measure', 'getactivity')).toBe(1)

    act(() => source.send('notify', { appli: 16, kind: 'data', startdate: now, enddate: now + 1 }))
    await waitFor(() => expect(calls(relay, 'v2/measure', 'getactivity')).toBe(2))
  })

  test('nothing changes for a person whose scopes exclude a category', async () => {
    const { events, relay } = setup('user.metrics')
    await panel('Weight')
    const source = await openStream(events)
    expect(screen.queryByRole('region', { name: 'Bed' })).toBeNull()
    const now = Math.floor(Date.now() / 1000)
    const before = relay.withings.mock.calls.length
    act(() => {
      source.send('notify', { appli: 50, kind: 'bed_in', date: now })
      source.send('notify', { appli: 16, kind: 'data', startdate: now, enddate: now + 1 })
      source.send('notify', { appli: 44, kind: 'data', startdate: now, enddate: now + 1 })
    })
    expect(relay.withings.mock.calls.length).toBe(before)
    expect(screen.queryByText(/In bed since/)).toBeNull()
  })

  test('a quiet word while the stream reconnects, gone once it is back', async () => {
    const { events } = setup()
    await panel('Weight')
    const source = await openStream(events)
    const indicator = screen.getByRole('status', { name: 'Live updates' })
    expect(indicator).toBeEmptyDOMElement()
    act(() => source.fail())
    expect(indicator).toHaveTextContent('Live updates paused: reconnecting…')
    act(() => source.accept())
    expect(indicator).toBeEmptyDOMElement()
  })

  test('Disconnect on the home page closes the stream; the end of the session from the relay does too', async () => {
    const user = userEvent.setup()
    const { events } = setup()
    await panel('Weight')
    const source = await openStream(events)
    // The relay ended this session's streams (Disconnect in another window, on any instance).
    const opened = events.opened.length
    act(() => source.send('ended'))
    expect(source.closed).toBe(true)
    // …and is not opened again behind the person's back.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(events.opened).toHaveLength(opened)

    await user.click(screen.getByRole('link', { name: 'Connection' }))
    await user.click(await screen.findByRole('link', { name: 'Dashboard' }))
    const again = await openStream(events)
    await user.click(screen.getByRole('link', { name: 'Connection' }))
    await user.click(await screen.findByRole('button', { name: 'Disconnect' }))
    await screen.findByRole('button', { name: 'Connect Withings' })
    expect(again.closed).toBe(true)
    expect(events.opened.filter((s) => !s.closed)).toEqual([])
  })
})

describe('the scope table’s notifications row', () => {
  const row = async (scope: string) => {
    const table = await within(await panel('What this connection can do')).findByRole('table')
    return within(table).getByRole('row', { name: new RegExp(`^${scope.replace('.', '\\.')} `) })
  }

  test('Allowed once the relay subscribed bed in, bed out and inflate done', async () => {
    setup()
    await waitFor(async () =>
      expect(await row('user.sleepevents')).toHaveTextContent(
        /Notify - Subscribe\s*Allowed: subscribed to bed in, bed out and inflate done/,
      ),
    )
  })

  test('why not, when Withings could not reach the callback; Subscribe again asks the relay', async () => {
    const user = userEvent.setup()
    let reachable = false
    const status = () => statusOf(ALL, () => (reachable ? 'subscribed' : 'callback_unreachable'))
    const { relay } = setup(ALL, {
      notifications: async () => status(),
      resubscribe: async () => {
        reachable = true
        return status()
      },
    })
    await waitFor(async () =>
      expect(await row('user.sleepevents')).toHaveTextContent(
        /Not subscribed: Withings could not reach this app to deliver notifications/,
      ),
    )
    await user.click(screen.getByRole('button', { name: 'Subscribe again' }))
    expect(relay.resubscribe).toHaveBeenCalledOnce()
    await waitFor(async () => expect(await row('user.sleepevents')).toHaveTextContent(/Allowed/))
  })

  test('while the relay subscribes: "Checking", until the stream says it is done', async () => {
    let done = false
    const { events } = setup(ALL, {
      notifications: async () => statusOf(ALL, () => (done ? 'subscribed' : 'pending')),
    })
    await waitFor(async () => expect(await row('user.sleepevents')).toHaveTextContent(/Checking/))
    const source = await openStream(events)
    done = true
    act(() => source.send('subscription'))
    await waitFor(async () => expect(await row('user.sleepevents')).toHaveTextContent(/Allowed/))
  })
})
