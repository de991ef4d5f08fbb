import '@testing-library/jest-dom/vitest'
import { act, screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, test } from 'vitest'
import type { StoredMeasure, SyncStatus } from '../../relay/contract/stored-data'
import { fakeEventSources } from '../support/fake-event-source'
import { fakeRelay, PUBLIC_CONFIG, sessionView } from '../support/fake-relay'
import { renderApp } from '../support/render-app'

// The dashboard with sync on: the charts read the app's own store (`/api/data`, never Withings),
// the first import shows its progress (sources, records, a progress bar) and then when it was
// last updated, the live stream's `stored` events make the panels read again, and the person
// can download or delete what is kept.

const DAY = 86_400
const now = () => Math.floor(Date.now() / 1000)
const weighing = (kg: number, daysAgo: number, grpid: number): StoredMeasure => ({
  grpid,
  type: 1,
  type_name: 'Weight',
  unit: 'kg',
  value: kg,
  position: null,
  time: now() - daysAgo * DAY,
  attribution: 'device',
  is_own: true,
  deviceid: 'scale',
  model: 'Body Scan',
})

/** The store as the relay answers it; a test changes `store.status` and `store.weighings`. */
function setup(store: { status: SyncStatus; weighings: StoredMeasure[] }, path = '/dashboard') {
  const events = fakeEventSources()
  const asked: string[] = []
  const relay = fakeRelay({
    config: async () => ({ ...PUBLIC_CONFIG, sync: true }),
    session: async () => sessionView(10_800, 'user.metrics,user.activity'),
    stored: async (query) => {
      asked.push(query)
      if (query === 'status') return store.status
      if (query.startsWith('measures')) return { measures: store.weighings }
      if (query.startsWith('activity')) return { days: [] }
      return { periods: [] }
    },
  })
  const view = renderApp(path, { relay, events })
  return { ...view, relay, events, asked }
}

/** The stream the dashboard opened, accepted by the relay. */
async function openStream(events: ReturnType<typeof fakeEventSources>) {
  await waitFor(() => expect(() => events.current).not.toThrow())
  const source = events.current
  act(() => source.accept())
  return source
}

const importing: SyncStatus = {
  state: 'importing',
  sources: [
    { source: 'measures', state: 'done', records: 312 },
    { source: 'activity', state: 'importing', records: 100 },
    { source: 'sleep', state: 'pending', records: 0 },
  ],
  updated_at: now(),
}
const ready: SyncStatus = {
  state: 'ready',
  sources: importing.sources.map((source) => ({ ...source, state: 'done' })),
  updated_at: now(),
}

describe('the dashboard with sync on', () => {
  test('the import’s progress, then "Updated at"; the charts from the store, a year of weight, no Withings call', async () => {
    const store = { status: importing, weighings: [weighing(74.1, 300, 1), weighing(72.35, 1, 2)] }
    const { relay, events } = setup(store)
    const bar = await screen.findByRole('progressbar', { name: 'Importing your Withings history' })
    expect(bar).toHaveAttribute('aria-valuetext', '1 of 3 sources imported')
    expect(screen.getByText(/Measurements: 312 records ✓/)).toBeInTheDocument()
    const source = await openStream(events)
    store.status = ready
    act(() => source.send('stored', { kinds: [], importing: false }))
    expect(await screen.findByText(/^Updated at /)).toHaveAttribute('role', 'status')
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument()
    const weight = await screen.findByRole('region', { name: 'Weight' })
    expect(await within(weight).findByText('72.35 kg', { selector: 'strong' })).toBeInTheDocument()
    expect(within(weight).getByRole('img', { name: 'Weight, last 365 days' })).toBeInTheDocument()
    expect(relay.withings).not.toHaveBeenCalled()
  })

  test('a `stored` event makes the weight panel read the store again', async () => {
    const store = { status: ready, weighings: [weighing(72.35, 1, 2)] }
    const { events, asked } = setup(store)
    const weight = await screen.findByRole('region', { name: 'Weight' })
    await within(weight).findByText('72.35 kg', { selector: 'strong' })
    const source = await openStream(events)
    const before = asked.filter((query) => query.startsWith('measures?types=1&')).length
    store.weighings = [weighing(72.35, 1, 2), weighing(70.45, 0, 3)]
    act(() => source.send('stored', { kinds: ['measures'] }))
    expect(await within(weight).findByText('70.45 kg', { selector: 'strong' })).toBeInTheDocument()
    expect(asked.filter((query) => query.startsWith('measures?types=1&'))).toHaveLength(before + 1)
    expect(within(weight).getByText('Updated just now')).toHaveAttribute('role', 'status')
  })

  test('the person downloads what is kept, or disconnects and deletes it', async () => {
    const user = userEvent.setup()
    const { relay } = setup({ status: ready, weighings: [] }, '/')
    const download = await screen.findByRole('link', { name: 'Download my data (JSON)' })
    expect(download).toHaveAttribute('href', '/api/data/export')
    await user.click(screen.getByRole('button', { name: 'Disconnect and delete my data' }))
    await waitFor(() => expect(relay.logout).toHaveBeenCalledWith({ deleteData: true }))
  })

  test('a connection Withings no longer accepts is said, and what was imported stays', async () => {
    setup({ status: { ...ready, state: 'needs_reauth' }, weighings: [weighing(72.35, 1, 2)] })
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Withings no longer accepts this connection',
    )
    const weight = await screen.findByRole('region', { name: 'Weight' })
    expect(await within(weight).findByText('72.35 kg', { selector: 'strong' })).toBeInTheDocument()
  })
})
