import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import type { TokenView } from '../../relay/contract'
import { RelayRequestError } from '../../web/auth/relay-client'
import type { SessionChannel, SessionMessage } from '../../web/auth/session-channel'
import { createSessionStore, refreshMoment } from '../../web/auth/session-store'
import { fakeRelay } from '../support/fake-relay'

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

let issued = 0
const token = (lifetimeSeconds = 3600): TokenView => ({
  access_token: `access-${++issued}`,
  token_type: 'Bearer',
  expires_at: Math.floor(Date.now() / 1000) + lifetimeSeconds,
  scope: 'user.metrics',
  userid: '363',
})

beforeEach(() => vi.useFakeTimers({ now: new Date('2026-11-25T10:00:00Z') }))
afterEach(() => vi.useRealTimers())

describe('the session store', () => {
  test('refreshes by itself shortly before the access token expires', async () => {
    const relay = fakeRelay({ refresh: async () => token() })
    const { lock, channel } = browser()
    const store = createSessionStore({ relay, channel: channel(), lock })
    const first = token(3600)
    store.connect(first)
    expect(refreshMoment(first, Date.now())).toBe(first.expires_at * 1000 - 300_000)

    await vi.advanceTimersByTimeAsync(3600_000 - 300_001)
    expect(relay.refresh).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(2)
    expect(relay.refresh).toHaveBeenCalledOnce()
    const state = store.getState()
    expect(state.status === 'connected' && state.token.access_token).not.toBe(first.access_token)
  })

  test('three tabs whose tokens expire together refresh once, and all get the new token', async () => {
    const relay = fakeRelay({ refresh: async () => token() })
    const { lock, channel } = browser()
    const tabs = [1, 2, 3].map(() => createSessionStore({ relay, channel: channel(), lock }))
    const shared = token(60)
    for (const tab of tabs) tab.connect(shared)
    await vi.advanceTimersByTimeAsync(60_000)
    expect(relay.refresh).toHaveBeenCalledOnce()
    const tokens = tabs.map((tab) => {
      const state = tab.getState()
      return state.status === 'connected' ? state.token.access_token : null
    })
    expect(new Set(tokens).size).toBe(1)
    expect(tokens[0]).not.toBe(shared.access_token)
  })

  test('a passing fault keeps the session and tries again later', async () => {
    let fail = true
    const relay = fakeRelay({
      refresh: async () => {
        if (fail) throw new RelayRequestError('upstream_unavailable', 'down', { retryable: true })
        return token()
      },
    })
    const store = createSessionStore({ relay, channel: browser().channel(), lock: browser().lock })
    store.connect(token(60))
    await vi.advanceTimersByTimeAsync(54_001)
    expect(relay.refresh).toHaveBeenCalledTimes(1)
    expect(store.getState().status).toBe('connected')
    fail = false
    await vi.advanceTimersByTimeAsync(5_000)
    expect(relay.refresh).toHaveBeenCalledTimes(2)
    expect(store.getState().status).toBe('connected')
  })

  test('waits as long as Withings asks after a 601', async () => {
    const relay = fakeRelay({
      refresh: vi
        .fn()
        .mockRejectedValueOnce(new RelayRequestError('rate_limited', '601', { retryAfter: 30 }))
        .mockResolvedValue(token()),
    })
    const store = createSessionStore({ relay, channel: browser().channel(), lock: browser().lock })
    void store.refresh()
    await vi.advanceTimersByTimeAsync(0)
    expect(store.getState()).toMatchObject({
      status: 'unavailable',
      problem: 'rate_limited',
      retryAfter: 30,
    })
    await vi.advanceTimersByTimeAsync(29_000)
    expect(relay.refresh).toHaveBeenCalledTimes(1)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(store.getState().status).toBe('connected')
  })

  test('a refused session disconnects and says so', async () => {
    const relay = fakeRelay()
    const store = createSessionStore({ relay, channel: browser().channel(), lock: browser().lock })
    const current = token(60)
    store.connect(current)
    expect(await store.refresh({ unless: current.access_token })).toBeNull()
    expect(store.getState()).toEqual({ status: 'disconnected', problem: 'session_expired' })
  })

  test('on start, no session is simply "disconnected", with nothing to apologise for', async () => {
    const store = createSessionStore({
      relay: fakeRelay(),
      channel: browser().channel(),
      lock: browser().lock,
    })
    expect(store.getState().status).toBe('checking')
    await store.refresh()
    expect(store.getState()).toEqual({ status: 'disconnected' })
  })

  test('refresh({ unless }) skips when the failing token was already replaced', async () => {
    const relay = fakeRelay({ refresh: async () => token() })
    const store = createSessionStore({ relay, channel: browser().channel(), lock: browser().lock })
    const current = token()
    store.connect(current)
    expect(await store.refresh({ unless: 'an-older-token' })).toEqual(current)
    expect(relay.refresh).not.toHaveBeenCalled()
    expect(await store.refresh({ unless: current.access_token })).not.toEqual(current)
    expect(relay.refresh).toHaveBeenCalledOnce()
  })

  test('a refresh that started before a new login does not undo it', async () => {
    let answer: (view: TokenView) => void = () => {}
    const relay = fakeRelay({ refresh: () => new Promise((resolve) => (answer = resolve)) })
    const store = createSessionStore({ relay, channel: browser().channel(), lock: browser().lock })
    const pending = store.refresh()
    await vi.advanceTimersByTimeAsync(0)
    const fresh = token()
    store.connect(fresh)
    answer(token())
    expect(await pending).toEqual(fresh)
    expect(store.getState()).toEqual({ status: 'connected', token: fresh })
  })

  test('disconnect logs out at the relay and tells the other tabs', async () => {
    const relay = fakeRelay()
    const { lock, channel } = browser()
    const here = createSessionStore({ relay, channel: channel(), lock })
    const there = createSessionStore({ relay, channel: channel(), lock })
    here.connect(token())
    expect(there.getState().status).toBe('connected')
    await here.disconnect()
    expect(relay.logout).toHaveBeenCalledOnce()
    expect(here.getState().status).toBe('disconnected')
    expect(there.getState().status).toBe('disconnected')
  })

  test('accessToken() refreshes first when the token is about to expire', async () => {
    const relay = fakeRelay({ refresh: async () => token() })
    const store = createSessionStore({ relay, channel: browser().channel(), lock: browser().lock })
    const old = token(60)
    store.connect(old)
    expect(await store.accessToken()).toBe(old.access_token)
    vi.setSystemTime(Date.now() + 55_000)
    expect(await store.accessToken()).not.toBe(old.access_token)
    expect(relay.refresh).toHaveBeenCalledOnce()
  })
})
