import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import type { SessionView } from '../../relay/contract'
import { RelayRequestError } from '../../web/link/auth/relay-client'
import type { SessionChannel, SessionMessage } from '../../web/link/auth/session-channel'
import { createSessionStore } from '../../web/link/auth/session-store'
import { fakeRelay, sessionView } from '../support/fake-relay'

/** Tabs of one browser: a shared channel and a shared lock, as BroadcastChannel and Web Locks. */
function browser() {
  const tabs = new Set<(message: SessionMessage) => void>()
  let queue = Promise.resolve()
  const lock = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task)
    queue = run.then(
      () => {},
      () => {},
    )
    return run
  }
  const channel = (): SessionChannel => {
    let mine: ((message: SessionMessage) => void) | undefined
    return {
      post: (message) => {
        for (const tab of tabs) if (tab !== mine) tab(structuredClone(message))
      },
      listen(onMessage) {
        mine = onMessage
        tabs.add(onMessage)
        return () => tabs.delete(onMessage)
      },
    }
  }
  return { lock, channel }
}

/** What the store holds when connected, or null: the status is checked before the value. */
function connectedSession(store: {
  getState(): ReturnType<ReturnType<typeof createSessionStore>['getState']>
}) {
  const state = store.getState()
  expect(state.status).toBe('connected')
  return state.status === 'connected' ? state.session : null
}

beforeEach(() => vi.useFakeTimers({ now: new Date('2026-11-25T10:00:00Z') }))
afterEach(() => vi.useRealTimers())

describe('the session store', () => {
  test('asks the relay again at the refresh moment it named, not before', async () => {
    const later = () => sessionView(3600)
    const relay = fakeRelay({ session: async () => later() })
    const { lock, channel } = browser()
    const store = createSessionStore({ relay, channel: channel(), lock })
    const first = sessionView(3600)
    store.connect(first)
    expect(first.refresh_at).toBe(first.expires_at - 300)

    await vi.advanceTimersByTimeAsync(3600_000 - 300_001)
    expect(relay.session).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(2)
    expect(relay.session).toHaveBeenCalledOnce()
    expect(connectedSession(store)?.expires_at).toBeGreaterThan(first.expires_at)
  })

  test('three tabs whose sessions are due together ask the relay once, and all learn the answer', async () => {
    const relay = fakeRelay({ session: async () => sessionView(3600) })
    const { lock, channel } = browser()
    const tabs = [1, 2, 3].map(() => createSessionStore({ relay, channel: channel(), lock }))
    const shared = sessionView(60)
    for (const tab of tabs) tab.connect(shared)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(relay.session).toHaveBeenCalledOnce()
    const ends = tabs.map((tab) => connectedSession(tab)?.expires_at)
    expect(new Set(ends).size).toBe(1)
    expect(ends[0]).toBeGreaterThan(shared.expires_at)
  })

  test('a reload restores the session with one question, however often it is asked', async () => {
    const relay = fakeRelay({ session: async () => sessionView() })
    const store = createSessionStore({ relay, channel: browser().channel(), lock: browser().lock })
    await Promise.all([store.restore(), store.restore()])
    expect(relay.session).toHaveBeenCalledOnce()
    expect(connectedSession(store)?.userid).toBe('363')
    await store.restore()
    expect(relay.session).toHaveBeenCalledOnce()
  })

  test('a passing fault keeps the session and asks again later', async () => {
    let fail = true
    const relay = fakeRelay({
      session: async () => {
        if (fail) throw new RelayRequestError('upstream_unavailable', 'down')
        return sessionView(3600)
      },
    })
    const store = createSessionStore({ relay, channel: browser().channel(), lock: browser().lock })
    store.connect(sessionView(60))
    await vi.advanceTimersByTimeAsync(54_001)
    expect(relay.session).toHaveBeenCalledTimes(1)
    expect(store.getState().status).toBe('connected')
    fail = false
    await vi.advanceTimersByTimeAsync(5_000)
    expect(relay.session).toHaveBeenCalledTimes(2)
    expect(connectedSession(store)?.expires_at).toBeGreaterThan(Date.now() / 1000 + 3000)
  })

  test('waits as long as Withings asks after a 601', async () => {
    const relay = fakeRelay({
      session: vi
        .fn<() => Promise<SessionView>>()
        .mockRejectedValueOnce(new RelayRequestError('rate_limited', '601', { retryAfter: 30 }))
        .mockResolvedValue(sessionView()),
    })
    const store = createSessionStore({ relay, channel: browser().channel(), lock: browser().lock })
    void store.restore()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getState()).toEqual({
      status: 'unavailable',
      problem: 'rate_limited',
      retryAfter: 30,
    })
    await vi.advanceTimersByTimeAsync(29_000)
    expect(relay.session).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(store.getState().status).toBe('connected')
  })

  test('a session the relay no longer holds disconnects, says so, and tells the other tabs', async () => {
    const relay = fakeRelay()
    const { lock, channel } = browser()
    const here = createSessionStore({ relay, channel: channel(), lock })
    const there = createSessionStore({ relay, channel: channel(), lock })
    here.connect(sessionView(60))
    await vi.advanceTimersByTimeAsync(60_000)
    expect(here.getState()).toEqual({ status: 'disconnected', problem: 'session_expired' })
    expect(there.getState().status).toBe('disconnected')
  })

  test('on start, no session is simply "disconnected", with nothing to apologise for', async () => {
    const store = createSessionStore({
      relay: fakeRelay(),
      channel: browser().channel(),
      lock: browser().lock,
    })
    expect(store.getState().status).toBe('checking')
    await store.restore()
    expect(store.getState()).toEqual({ status: 'disconnected' })
  })

  test('a data call finding the session gone disconnects every tab', () => {
    const { lock, channel } = browser()
    const here = createSessionStore({ relay: fakeRelay(), channel: channel(), lock })
    const there = createSessionStore({ relay: fakeRelay(), channel: channel(), lock })
    here.connect(sessionView())
    here.expire()
    expect(here.getState()).toEqual({ status: 'disconnected', problem: 'session_expired' })
    expect(there.getState()).toEqual({ status: 'disconnected' })
  })

  test('an answer that started before a new login does not undo it', async () => {
    let answer: (view: SessionView) => void = () => {}
    const relay = fakeRelay({ session: () => new Promise((resolve) => (answer = resolve)) })
    const store = createSessionStore({ relay, channel: browser().channel(), lock: browser().lock })
    const pending = store.restore()
    await vi.advanceTimersByTimeAsync(0)
    const fresh = { ...sessionView(), userid: '4815162' }
    store.connect(fresh)
    answer(sessionView())
    await pending
    expect(store.getState()).toEqual({ status: 'connected', session: fresh })
  })

  test('disconnect logs out at the relay, keeps what Withings heard, and tells the other tabs', async () => {
    const relay = fakeRelay()
    const { lock, channel } = browser()
    const here = createSessionStore({ relay, channel: channel(), lock })
    const there = createSessionStore({ relay, channel: channel(), lock })
    here.connect(sessionView())
    expect(there.getState().status).toBe('connected')
    await here.disconnect()
    expect(relay.logout).toHaveBeenCalledOnce()
    expect(here.getState()).toEqual({
      status: 'disconnected',
      farewell: { withingsInformed: true, canRetry: false, retryAfter: undefined },
    })
    expect(there.getState()).toEqual({ status: 'disconnected' })
  })

  test('a revoke that did not reach Withings is retried with its ticket, once asked', async () => {
    const relay = fakeRelay({
      logout: async () => ({ withings_informed: false, revoke_ticket: 'ticket', retry_after: 5 }),
      revoke: async () => ({ withings_informed: true }),
    })
    const store = createSessionStore({ relay, channel: browser().channel(), lock: browser().lock })
    store.connect(sessionView())
    await store.disconnect()
    expect(store.getState()).toEqual({
      status: 'disconnected',
      farewell: { withingsInformed: false, canRetry: true, retryAfter: 5 },
    })
    expect(relay.revoke).not.toHaveBeenCalled()
    await store.retryRevoke()
    expect(relay.revoke).toHaveBeenCalledWith('ticket')
    expect(store.getState()).toEqual({
      status: 'disconnected',
      farewell: { withingsInformed: true, canRetry: false, retryAfter: undefined },
    })
  })

  test('a tab that wakes after its refresh moment asks the relay; a fresh one does not', async () => {
    const relay = fakeRelay({ session: async () => sessionView(3600) })
    const store = createSessionStore({ relay, channel: browser().channel(), lock: browser().lock })
    store.connect(sessionView(3600))
    store.checkExpiry()
    await vi.advanceTimersByTimeAsync(0)
    expect(relay.session).not.toHaveBeenCalled()
    vi.setSystemTime(Date.now() + 3_400_000)
    store.checkExpiry()
    await vi.advanceTimersByTimeAsync(0)
    expect(relay.session).toHaveBeenCalledOnce()
  })
})
