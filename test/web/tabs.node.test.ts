import { afterEach, describe, expect, test, vi } from 'vitest'
import { withRefreshLock } from '../../web/react/auth/refresh-lock'
import { createSessionChannel, type SessionMessage } from '../../web/react/auth/session-channel'
import { sessionView } from '../support/fake-relay'

// How the app's tabs coordinate (README, "Sessions"): they tell each other the news over a
// BroadcastChannel — Node's own here, two channels of one name being two tabs — and take turns
// to refresh with the Web Locks API, which Node 20 lacks: a small stand-in plays it.

const opened: BroadcastChannel[] = []
afterEach(() => {
  for (const channel of opened.splice(0)) channel.close()
  vi.useRealTimers()
  vi.unstubAllGlobals()
  vi.restoreAllMocks()
})

/** A tab of another build of the app (or of a test): the channel by its name, without the client. */
function rawTab(name = 'withings-link:session') {
  const channel = new BroadcastChannel(name)
  opened.push(channel)
  return channel
}

/** What a tab's listener hears, once `count` messages have come (or the test times out). */
function hear(listen: (on: (message: SessionMessage) => void) => () => void, count: number) {
  const heard: SessionMessage[] = []
  return new Promise<SessionMessage[]>((resolve) => {
    const stop = listen((message) => {
      heard.push(message)
      if (heard.length === count) {
        stop()
        resolve(heard)
      }
    })
  })
}

describe('the session channel between tabs', () => {
  test('a session one tab posts reaches the others, and its disconnect too', async () => {
    const name = `tabs-${crypto.randomUUID()}`
    const [first, second] = [createSessionChannel(name), createSessionChannel(name)]
    const heard = hear(second.listen, 2)
    const session = sessionView()
    first.post({ type: 'session', session })
    first.post({ type: 'disconnected' })
    expect(await heard).toStrictEqual([{ type: 'session', session }, { type: 'disconnected' }])
  })

  test('tabs of other builds share the name: withings-link:session', async () => {
    const other = rawTab()
    const news = new Promise<unknown>((resolve) => {
      other.onmessage = (event) => resolve(event.data)
    })
    const mine = createSessionChannel()
    const heard = hear(mine.listen, 1)
    mine.post({ type: 'disconnected' })
    other.postMessage({ type: 'disconnected' })
    expect(await news).toStrictEqual({ type: 'disconnected' })
    expect(await heard).toStrictEqual([{ type: 'disconnected' }])
  })

  test('malformed messages are ignored; known ones pass on with their known fields only', async () => {
    const name = `tabs-${crypto.randomUUID()}`
    const sender = rawTab(name)
    const heard = hear(createSessionChannel(name).listen, 2)
    const session = sessionView()
    for (const message of [
      undefined,
      null,
      'disconnected',
      42,
      {},
      { type: 'ended', session },
      { type: 'session' },
      { type: 'session', session: { ...session, userid: 363 } },
      { type: 'session', session: 'a session' },
      { type: 'session', session: { ...session, access_token: 'not for the page' }, extra: 1 },
      { type: 'disconnected', session },
    ]) {
      sender.postMessage(message)
    }
    expect(await heard).toStrictEqual([{ type: 'session', session }, { type: 'disconnected' }])
  })

  test('a listener that stopped hears nothing more', async () => {
    const name = `tabs-${crypto.randomUUID()}`
    const [first, second] = [createSessionChannel(name), createSessionChannel(name)]
    const stopped = vi.fn()
    second.listen(stopped)()
    const heard = hear(second.listen, 1)
    first.post({ type: 'disconnected' })
    await heard
    expect(stopped).not.toHaveBeenCalled()
  })

  test('without BroadcastChannel a tab works alone: posting and listening do nothing', () => {
    vi.stubGlobal('BroadcastChannel', undefined)
    const alone = createSessionChannel()
    const heard = vi.fn()
    const stop = alone.listen(heard)
    alone.post({ type: 'disconnected' })
    stop()
    expect(heard).not.toHaveBeenCalled()
  })
})

/** The Web Locks API at its edge: exclusive locks by name, granted in the order asked. */
function webLocks() {
  const tails = new Map<string, Promise<unknown>>()
  return {
    request<T>(name: string, task: () => Promise<T>): Promise<T> {
      const granted = (tails.get(name) ?? Promise.resolve()).then(task)
      tails.set(
        name,
        granted.catch(() => {}),
      )
      return granted
    },
  }
}

/** A promise and the hand that settles it. */
function deferred() {
  let resolve = () => {}
  const promise = new Promise<void>((settle) => {
    resolve = settle
  })
  return { promise, resolve }
}

describe('the refresh lock', () => {
  test('with Web Locks, a tab waits while another tab holds withings-link:refresh', async () => {
    vi.useFakeTimers()
    const locks = webLocks()
    vi.stubGlobal('navigator', { locks })
    const otherTab = deferred()
    void locks.request('withings-link:refresh', () => otherTab.promise)
    const refresh = vi.fn(async () => 'refreshed')
    const done = withRefreshLock(refresh)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(refresh).not.toHaveBeenCalled()
    otherTab.resolve()
    expect(await done).toBe('refreshed')
    expect(refresh).toHaveBeenCalledOnce()
  })

  test.each([
    ['Node 20 (no navigator)', undefined],
    ['a browser without Web Locks', {}],
  ])('in %s: a random pause of up to 300 ms, then the task', async (_, navigator) => {
    vi.useFakeTimers()
    if (navigator) vi.stubGlobal('navigator', navigator)
    vi.spyOn(Math, 'random').mockReturnValue(0.5)
    const refresh = vi.fn(async () => 'refreshed')
    const done = withRefreshLock(refresh)
    await vi.advanceTimersByTimeAsync(149)
    expect(refresh).not.toHaveBeenCalled()
    await vi.advanceTimersByTimeAsync(1)
    expect(refresh).toHaveBeenCalledOnce()
    expect(await done).toBe('refreshed')
  })
})
