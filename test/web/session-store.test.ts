import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import type { LogoutResult, SessionView } from '../../relay/contract/wire-contract'
import { RelayRequestError } from '../../web/react/auth/relay-client'
import type { SessionChannel, SessionMessage } from '../../web/react/auth/session-channel'
import { createSessionStore } from '../../web/react/auth/session-store'
import { fakeRelay, INFORMED, sessionView } from '../support/fake-relay'

/**
 * Tabs of one browser: a shared channel and a shared lock, as BroadcastChannel and Web Locks;
 * `messages` is every message a tab posted, in order.
 */
function browser() {
  const tabs = new Set<(message: SessionMessage) => void>()
  const messages: SessionMessage[] = []
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
        messages.push(structuredClone(message))
        for (const tab of tabs) if (tab !== mine) tab(structuredClone(message))
      },
      listen(onMessage) {
        mine = onMessage
        tabs.add(onMessage)
        return () => tabs.delete(onMessage)
      },
    }
  }
  return { lock, channel, messages }
}

/** A relay answer that arrives when the test says. */
function later<T>() {
  let settle: { resolve(value: T): void; reject(error: unknown): void } | undefined
  const promise = new Promise<T>((resolve, reject) => {
    settle = { resolve, reject }
  })
  return {
    promise,
    resolve: (value: T) => settle?.resolve(value),
    reject: (error: unknown) => settle?.reject(error),
  }
}

/** The relay's session answer after a second on the network. */
const afterASecond = (answer: () => SessionView | null) => () =>
  new Promise<SessionView | null>((resolve) => setTimeout(() => resolve(answer()), 1_000))

/** What the store holds when connected, or null: the status is checked before the value. */
function connectedSession(store: {
  getState(): ReturnType<ReturnType<typeof createSessionStore>['getState']>
}) {
  const state = store.getState()
  expect(state.status).toBe('connected')
  return state.status === 'connected' ? state.session : null
}

type Tab = ReturnType<typeof createSessionStore>

const FRESH = { ...sessionView(7_200), userid: '4815162' }
const OTHER = { ...sessionView(7_200), userid: '2342' }
const refused = new RelayRequestError('upstream_unavailable', 'down')
const UNTOLD: LogoutResult = { withings_informed: false, revoke_ticket: 'ticket', retry_after: 5 }

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

  // Answered at once, the others' refresh moments move before they fire; answered a second
  // later, they wait for the lock meanwhile and find the session renewed once they hold it.
  test.each([
    ['at once', async () => sessionView(3600)],
    ['a second later', afterASecond(() => sessionView(3600))],
  ])(
    'three tabs whose sessions are due together ask the relay once (answered %s), and all learn the answer',
    async (_, session) => {
      const relay = fakeRelay({ session })
      const { lock, channel } = browser()
      const tabs = [1, 2, 3].map(() => createSessionStore({ relay, channel: channel(), lock }))
      const shared = sessionView(60)
      for (const tab of tabs) tab.connect(shared)
      await vi.advanceTimersByTimeAsync(60_000)
      expect(relay.session).toHaveBeenCalledOnce()
      const ends = tabs.map((tab) => connectedSession(tab)?.expires_at)
      expect(new Set(ends).size).toBe(1)
      expect(ends[0]).toBeGreaterThan(shared.expires_at)
    },
  )

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

  test.each([
    [
      'a reload',
      async (store: Tab) => {
        void store.restore()
        await vi.advanceTimersByTimeAsync(0)
      },
      { status: 'unavailable', problem: 'rate_limited', retryAfter: 30 },
    ],
    [
      "a connected tab's renewal",
      async (store: Tab) => {
        store.connect(sessionView(60))
        await vi.advanceTimersByTimeAsync(54_000)
      },
      expect.objectContaining({ status: 'connected' }),
    ],
  ])('%s waits as long as Withings asks after a 601', async (_, start, meanwhile) => {
    const relay = fakeRelay({
      session: vi
        .fn<() => Promise<SessionView>>()
        .mockRejectedValueOnce(new RelayRequestError('rate_limited', '601', { retryAfter: 30 }))
        .mockResolvedValue(sessionView()),
    })
    const store = createSessionStore({ relay, channel: browser().channel(), lock: browser().lock })
    await start(store)
    expect(relay.session).toHaveBeenCalledTimes(1)
    expect(store.getState()).toEqual(meanwhile)
    await vi.advanceTimersByTimeAsync(29_000)
    expect(relay.session).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(relay.session).toHaveBeenCalledTimes(2)
    expect(store.getState().status).toBe('connected')
  })

  test('while the session cannot be checked, each failed try shows its own problem', async () => {
    const relay = fakeRelay({
      session: vi
        .fn<() => Promise<SessionView>>()
        .mockRejectedValueOnce(new RelayRequestError('rate_limited', '601', { retryAfter: 30 }))
        .mockRejectedValueOnce(new RelayRequestError('upstream_unavailable', 'down'))
        .mockResolvedValue(sessionView()),
    })
    const store = createSessionStore({ relay, channel: browser().channel(), lock: browser().lock })
    await store.restore()
    await vi.advanceTimersByTimeAsync(30_000)
    expect(relay.session).toHaveBeenCalledTimes(2)
    expect(store.getState()).toEqual({ status: 'unavailable', problem: 'upstream_unavailable' })
    await vi.advanceTimersByTimeAsync(5_000)
    expect(relay.session).toHaveBeenCalledTimes(3)
    expect(store.getState().status).toBe('connected')
  })

  test.each([
    ['at once', async () => null],
    ['a second later', afterASecond(() => null)],
  ])(
    'a session the relay no longer holds (answered %s) disconnects, says so, and tells the other tabs',
    async (_, session) => {
      const relay = fakeRelay({ session })
      const { lock, channel, messages } = browser()
      const here = createSessionStore({ relay, channel: channel(), lock })
      const there = createSessionStore({ relay, channel: channel(), lock })
      here.connect(sessionView(60))
      await vi.advanceTimersByTimeAsync(60_000)
      expect(here.getState()).toEqual({ status: 'disconnected', problem: 'session_expired' })
      expect(there.getState()).toEqual({ status: 'disconnected' })
      expect(messages.at(-1)).toEqual({ type: 'disconnected' })
      expect(relay.session).toHaveBeenCalledOnce()
    },
  )

  test('on start, no session is simply "disconnected", with nothing to apologise for or to tell', async () => {
    const { lock, channel, messages } = browser()
    const store = createSessionStore({ relay: fakeRelay(), channel: channel(), lock })
    expect(store.getState().status).toBe('checking')
    await store.restore()
    expect(store.getState()).toEqual({ status: 'disconnected' })
    expect(messages).toEqual([])
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

  // A reload's question is answered after these, and changes nothing.
  test.each([
    [
      'a login, then a fault answered',
      (here: Tab) => here.connect(FRESH),
      refused,
      { status: 'connected', session: FRESH },
    ],
    [
      "a login, then another tab's",
      (here: Tab, there: Tab) => {
        here.connect(FRESH)
        there.connect(OTHER)
      },
      null,
      { status: 'connected', session: OTHER },
    ],
    [
      "an answer to a renewal, then another tab's login",
      async (here: Tab, there: Tab) => {
        await here.renew()
        there.connect(OTHER)
      },
      null,
      { status: 'connected', session: OTHER },
    ],
    [
      'a login, then a data call finding it gone',
      (here: Tab) => {
        here.connect(FRESH)
        here.expire()
      },
      sessionView(),
      { status: 'disconnected', problem: 'session_expired' },
    ],
    [
      'a login, then Disconnect',
      async (here: Tab) => {
        here.connect(FRESH)
        await here.disconnect()
      },
      sessionView(),
      { status: 'disconnected', farewell: { withingsInformed: true, canRetry: false } },
    ],
  ])('%s: the late answer changes nothing', async (_, events, answer, expected) => {
    const late = later<SessionView | null>()
    const relay = fakeRelay({
      session: vi
        .fn<() => Promise<SessionView | null>>()
        .mockReturnValueOnce(late.promise)
        .mockResolvedValue(sessionView()),
    })
    const { lock, channel } = browser()
    const here = createSessionStore({ relay, channel: channel(), lock })
    const there = createSessionStore({ relay: fakeRelay(), channel: channel(), lock })
    const question = here.restore()
    await events(here, there)
    if (answer instanceof RelayRequestError) late.reject(answer)
    else late.resolve(answer)
    await question
    expect(here.getState()).toEqual(expected)
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

  test('Disconnect where the relay held no session any more: the Connect form, nothing said of Withings', async () => {
    const relay = fakeRelay({ logout: async () => null })
    const { lock, channel, messages } = browser()
    const store = createSessionStore({ relay, channel: channel(), lock })
    store.connect(sessionView())
    await store.disconnect()
    expect(store.getState()).toEqual({ status: 'disconnected' })
    expect(messages.at(-1)).toEqual({ type: 'disconnected' })
    await store.retryRevoke()
    expect(relay.revoke).not.toHaveBeenCalled()
  })

  test('a data call finding the session gone after Disconnect leaves the farewell as it was', async () => {
    const { lock, channel, messages } = browser()
    const store = createSessionStore({ relay: fakeRelay(), channel: channel(), lock })
    store.connect(sessionView())
    await store.disconnect()
    const farewell = store.getState()
    store.expire()
    expect(store.getState()).toBe(farewell)
    expect(messages).toHaveLength(2)
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

  test.each([
    ['with Withings told', async () => INFORMED, () => {}],
    ['after a new login', async () => UNTOLD, (store: Tab) => store.connect(FRESH)],
  ])('there is no revoke to try again %s', async (_, logout, since) => {
    const relay = fakeRelay({ logout })
    const store = createSessionStore({ relay, channel: browser().channel(), lock: browser().lock })
    store.connect(sessionView())
    await store.disconnect()
    since(store)
    const before = store.getState()
    await store.retryRevoke()
    expect(relay.revoke).not.toHaveBeenCalled()
    expect(store.getState()).toBe(before)
  })

  test('a retried revoke answered after a new login leaves the new session alone', async () => {
    const answer = later<LogoutResult>()
    const relay = fakeRelay({ logout: async () => UNTOLD, revoke: () => answer.promise })
    const store = createSessionStore({ relay, channel: browser().channel(), lock: browser().lock })
    store.connect(sessionView())
    await store.disconnect()
    const retry = store.retryRevoke()
    store.connect(FRESH)
    answer.resolve(INFORMED)
    await retry
    expect(relay.revoke).toHaveBeenCalledWith('ticket')
    expect(store.getState()).toEqual({ status: 'connected', session: FRESH })
  })

  test('a listener that unsubscribed hears nothing more', () => {
    const store = createSessionStore({
      relay: fakeRelay(),
      channel: browser().channel(),
      lock: browser().lock,
    })
    const heard = vi.fn()
    const unsubscribe = store.subscribe(heard)
    store.connect(sessionView())
    expect(heard).toHaveBeenCalledOnce()
    unsubscribe()
    store.expire()
    expect(heard).toHaveBeenCalledOnce()
  })

  test('a closed tab hears no more news, and asks nothing at its refresh moment', async () => {
    const relay = fakeRelay({ session: async () => sessionView(3600) })
    const { lock, channel } = browser()
    const here = createSessionStore({ relay: fakeRelay(), channel: channel(), lock })
    const closed = createSessionStore({ relay, channel: channel(), lock })
    const heard = vi.fn()
    closed.subscribe(heard)
    const soon = sessionView(60)
    here.connect(soon)
    closed.dispose()
    here.expire()
    expect(connectedSession(closed)).toEqual(soon)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(relay.session).not.toHaveBeenCalled()
    expect(heard).toHaveBeenCalledOnce()
  })

  test.each([
    ['disconnected', async () => null],
    [
      'unavailable',
      async () => {
        throw new RelayRequestError('upstream_unavailable', 'down')
      },
    ],
  ])('a tab %s asks no sooner when it wakes', async (status, session) => {
    const relay = fakeRelay({ session })
    const store = createSessionStore({ relay, channel: browser().channel(), lock: browser().lock })
    await store.restore()
    expect(store.getState().status).toBe(status)
    store.checkExpiry()
    await vi.advanceTimersByTimeAsync(1_000)
    expect(relay.session).toHaveBeenCalledOnce()
  })

  test('a tab that wakes at its refresh moment asks the relay; a moment before, it does not', async () => {
    const relay = fakeRelay({ session: async () => sessionView(3600) })
    const store = createSessionStore({ relay, channel: browser().channel(), lock: browser().lock })
    store.connect(sessionView(3600))
    store.checkExpiry()
    await vi.advanceTimersByTimeAsync(0)
    expect(relay.session).not.toHaveBeenCalled()
    vi.setSystemTime(Date.now() + 3_300_000 - 1)
    store.checkExpiry()
    await vi.advanceTimersByTimeAsync(0)
    expect(relay.session).not.toHaveBeenCalled()
    vi.setSystemTime(Date.now() + 1)
    store.checkExpiry()
    await vi.advanceTimersByTimeAsync(0)
    expect(relay.session).toHaveBeenCalledOnce()
  })
})
