import { describe, expect, test, vi } from 'vitest'
import { createLiveEvents, type LiveEvent } from '../../web/react/live/live-events'
import { fakeEventSources } from '../support/fake-event-source'

// The page's live stream client, against fake EventSources: one connection for every listener,
// Last-Event-ID carried into a new connection, a pause that grows, and an end when told.

function client() {
  const sources = fakeEventSources()
  const pauses: number[] = []
  const live = createLiveEvents({
    url: '/api/events',
    open: sources.open,
    backoffMs: (attempt) => {
      pauses.push(attempt)
      return 10
    },
  })
  return { live, sources, pauses }
}

describe('live events', () => {
  test('one connection for every listener, open only while one listens', () => {
    const { live, sources } = client()
    expect(live.getStatus()).toBe('off')
    const stopA = live.listen(() => {})
    const stopB = live.listen(() => {})
    expect(sources.opened).toHaveLength(1)
    expect(live.getStatus()).toBe('connecting')
    sources.current.accept()
    expect(live.getStatus()).toBe('live')
    stopA()
    expect(sources.current.closed).toBe(false)
    stopB()
    expect(sources.opened[0]?.closed).toBe(true)
    expect(live.getStatus()).toBe('off')
  })

  test('passes notifications on, and nothing it cannot read', () => {
    const { live, sources } = client()
    const seen: LiveEvent[] = []
    live.listen((event) => seen.push(event))
    const source = sources.current
    source.accept()
    source.send('notify', { appli: 50, kind: 'bed_in', date: 1_700_000_000 }, 'a')
    source.send('notify', { appli: 50, kind: 'bed_in' }, 'b')
    source.send('notify', { appli: 999, kind: 'data', startdate: 1, enddate: 2 }, 'c')
    source.send('subscription')
    expect(seen).toEqual([
      { type: 'notify', notification: { appli: 50, kind: 'bed_in', date: 1_700_000_000 } },
      { type: 'subscription' },
    ])
  })

  test('reconnecting: EventSource retries by itself; after an answer that is no stream, a new one carries the last id', async () => {
    const { live, sources, pauses } = client()
    live.listen(() => {})
    const first = sources.current
    first.accept()
    first.send('notify', { appli: 51, kind: 'bed_out', date: 1 }, '0000000ab-00ff00ff')
    first.fail()
    expect(live.getStatus()).toBe('reconnecting')
    expect(sources.opened).toHaveLength(1)
    first.accept()
    expect(live.getStatus()).toBe('live')

    first.fail({ closed: true })
    await vi.waitFor(() => expect(sources.opened).toHaveLength(2))
    expect(sources.opened[1]?.url).toBe('/api/events?last_event_id=0000000ab-00ff00ff')
    sources.opened[1]?.fail({ closed: true })
    await vi.waitFor(() => expect(sources.opened).toHaveLength(3))
    expect(pauses).toEqual([0, 1])
    sources.opened[2]?.accept()
    sources.opened[2]?.fail({ closed: true })
    await vi.waitFor(() => expect(sources.opened).toHaveLength(4))
    // Back to the shortest pause once a connection worked.
    expect(pauses).toEqual([0, 1, 0])
  })

  test('the relay shutting down: reconnecting, and the browser comes back by itself', () => {
    const { live, sources } = client()
    live.listen(() => {})
    sources.current.accept()
    sources.current.send('reconnect', { reason: 'shutting_down' })
    expect(live.getStatus()).toBe('reconnecting')
    expect(sources.opened).toHaveLength(1)
  })

  test('the session ended: closed, and not opened again', async () => {
    const { live, sources } = client()
    live.listen(() => {})
    sources.current.accept()
    sources.current.send('ended')
    expect(live.getStatus()).toBe('off')
    expect(sources.opened[0]?.closed).toBe(true)
    await new Promise((resolve) => setTimeout(resolve, 30))
    expect(sources.opened).toHaveLength(1)
  })
})
