import { afterEach, describe, expect, test, vi } from 'vitest'
import { randomState } from '../../web/react/auth/random-state'
import { type ApiClient, createApiClient } from '../support/api-client'
import { deadUrl } from '../support/dead-url'
import { type LiveStream, openLiveStream } from '../support/live-stream'
import { connect, startLogin } from '../support/login'
import { fakeClock, type Stack, type StackOptions, startStack } from '../support/stack'

// The numbers docs/ promises, each asserted where it takes effect, with the relay's defaults (no
// limit overridden; the tests' config holds the same values, which config.test.ts proves are
// the defaults) and on an injected clock: one more than the bound is refused, a moment less
// than the wait is not enough.

const DEMO = 363
const MINUTE = 60_000

let stack: Stack
const streams: LiveStream[] = []
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close()
  await stack?.close()
})

async function connected(options: StackOptions = {}) {
  stack = await startStack(options)
  const api = createApiClient(stack.appUrl)
  expect((await connect(stack, api, { scopes: ['user.sleepevents'] })).status).toBe(200)
  return api
}

async function live(api: ApiClient, lastEventId?: string) {
  const stream = await openLiveStream(api, {
    ...(lastEventId !== undefined && { headers: { 'last-event-id': lastEventId } }),
  })
  streams.push(stream)
  return stream
}

const notifyCalls = () => stack.emulator.requests.count({ route: 'notify' })

/** Withings notifying a bed out at `date` (Unix seconds), straight to the relay's callback. */
async function bedOut(date: number) {
  const url = stack.emulator.notifications.subscriptions.find((s) => s.userid === DEMO)?.callbackurl
  if (!url) throw new Error('nothing subscribed')
  const answer = await fetch(url, {
    method: 'POST',
    body: new URLSearchParams({ userid: String(DEMO), appli: '51', date: String(date) }),
  })
  expect(answer.status).toBe(200)
  await stack.settled()
}

/** The bed-out dates a page that reconnects with an old Last-Event-ID is given, then `marker`. */
async function replayedDates(api: ApiClient, marker: number): Promise<number[]> {
  const stream = await live(api, '000000000-00000000')
  expect(stream.status).toBe(200)
  // A notification sent after the replay: every frame before it is the replay.
  await bedOut(marker)
  await stream.next((frame) => frame.event === 'notify' && frame.data.includes(`${marker}`))
  const dates = stream
    .notifications()
    .map((notification) => (notification as { date: number }).date)
  expect(dates.at(-1)).toBe(marker)
  return dates.slice(0, -1)
}

describe('docs/notifications.md, in numbers', () => {
  test('"at most 10 streams per person" on an instance: the 11th page gets 429, until one closes', async () => {
    const api = await connected()
    for (let page = 1; page <= 10; page++) expect((await live(api)).status).toBe(200)
    const eleventh = await live(api)
    expect(eleventh.status).toBe(429)
    expect(eleventh.headers.get('retry-after')).toBe('30')
    expect((await eleventh.json()).error).toMatchObject({
      code: 'rate_limited',
      message: 'This person already has 10 pages with live updates open here: close one.',
    })
    const first = streams[0]
    first?.close()
    await first?.ended
    await expect.poll(async () => (await live(api)).status).toBe(200)
  })

  test('"a comment line every 20 seconds" keeps a quiet stream open', async () => {
    const api = await connected()
    // Only the heartbeat's interval is faked: sockets keep their real timers.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    try {
      const stream = await live(api)
      vi.advanceTimersByTime(19_999)
      // A notification after that moment: the stream is in order, so any heartbeat sent before
      // it has arrived by the time it does.
      await bedOut(1_700_000_000)
      await stream.next((frame) => frame.event === 'notify')
      expect(stream.comments).toEqual(['connected'])
      vi.advanceTimersByTime(1)
      await vi.waitFor(() => expect(stream.comments).toEqual(['connected', 'heartbeat']))
    } finally {
      vi.useRealTimers()
    }
  })

  test('"a failure is tried again after ten minutes": not asked again before, asked once after', async () => {
    const clock = fakeClock()
    // A callback Withings cannot reach: status 293, no wait given, so the relay's own ten minutes.
    const api = await connected({
      now: clock.now,
      relay: { notifyCallbackBaseUrl: await deadUrl() },
    })
    await stack.settled()
    const status = await (await api.request('/api/notify')).json()
    expect(status.categories[0]).toMatchObject({ state: 'failed', reason: 'callback_unreachable' })
    const asked = notifyCalls()

    clock.advance(10 * MINUTE - 1_000)
    expect((await api.request('/api/notify')).status).toBe(200)
    await stack.settled()
    expect(notifyCalls()).toBe(asked)

    clock.advance(2_000)
    expect((await api.request('/api/notify')).status).toBe(200)
    await stack.settled()
    // The same questions again: the list, then each category's subscribe, refused again.
    expect(asked).toBe(4)
    expect(notifyCalls()).toBe(2 * asked)
  })

  test('a page that reconnects gets the last 50 notifications, of the last five minutes', async () => {
    const clock = fakeClock()
    const api = await connected({ now: clock.now })
    await stack.settled()
    const dates = Array.from({ length: 51 }, (_, i) => 1_700_000_000 + i)
    for (const date of dates) await bedOut(date)

    clock.advance(5 * MINUTE - 1_000)
    expect(await replayedDates(api, 1_800_000_000)).toEqual(dates.slice(1))

    // Five minutes after the last one (the marker above), nothing is left to replay.
    clock.advance(5 * MINUTE + 1_000)
    expect(await replayedDates(api, 1_800_000_001)).toEqual([])
  })
})

describe('docs/configuration.md, in numbers', () => {
  test('SIGN_INS_PER_ADDRESS: 6 exchanges Withings refused per address in ten minutes, then that address is refused until then', async () => {
    // Windows are aligned on multiples of their length: start at one's beginning.
    const clock = fakeClock(Math.ceil(Date.now() / (10 * MINUTE)) * 10 * MINUTE)
    // Behind a proxy that says who the client is: two addresses, counted apart.
    const proxy = { trustProxyHops: 1, proxySecret: 'a-proxy-secret-0123456' }
    stack = await startStack({ now: clock.now, relay: proxy })
    const api = createApiClient(stack.appUrl)
    const madeUp = async (address: string) => {
      const { state } = await startLogin(stack, api)
      const headers = { 'x-forwarded-for': address, 'x-withings-link-proxy': proxy.proxySecret }
      const code = randomState().slice(0, 40).toLowerCase()
      const answer = await api.post('/api/auth/token', { code, state }, { headers })
      return (await answer.json()).error
    }
    for (let refused = 1; refused <= 6; refused++) {
      expect((await madeUp('198.51.100.7')).code).toBe('code_expired')
    }
    const seventh = await madeUp('198.51.100.7')
    expect(seventh.code).toBe('sign_ins_limited')
    expect(seventh.message).toBe(
      'Too many sign-ins from this network were refused by Withings: wait before connecting again.',
    )
    expect((await madeUp('203.0.113.9')).code).toBe('code_expired')
    clock.advance(10 * MINUTE - 1_000)
    expect((await madeUp('198.51.100.7')).code).toBe('sign_ins_limited')
    clock.advance(2_000)
    expect((await madeUp('198.51.100.7')).code).toBe('code_expired')
    expect(stack.emulator.requests.count({ grantType: 'authorization_code' })).toBe(8)
  })
})

describe('docs/sessions.md, in numbers', () => {
  const DAY = 24 * 60 * MINUTE

  test('a session lasts 30 days from its login (SESSION_LIFETIME_DAYS), whatever the refreshes', async () => {
    const clock = fakeClock()
    stack = await startStack({ now: clock.now })
    const api = createApiClient(stack.appUrl)
    expect((await connect(stack, api)).status).toBe(200)
    clock.advance(30 * DAY - MINUTE)
    const late = await api.post('/api/auth/session')
    expect(late.status).toBe(200)
    expect((await late.json()).session_ends_at).toBe(Math.floor((clock.now() + MINUTE) / 1000))
    clock.advance(MINUTE)
    // (The seal of the cookie ends with the session too: it opens no more.)
    const ended = await api.post('/api/withings/measure', { action: 'getmeas' })
    expect(ended.status).toBe(401)
    expect((await ended.json()).error.code).toBe('session_expired')
  })

  test("Disconnect ends that session, not another person's, and its copied cookie stays refused", async () => {
    const clock = fakeClock()
    stack = await startStack({ now: clock.now })
    // Two people (Disconnect revokes the person's grant at Withings, and so every session of theirs).
    const [phone, laptop] = [createApiClient(stack.appUrl), createApiClient(stack.appUrl)]
    expect((await connect(stack, phone)).status).toBe(200)
    const ada = { demo: false, email: 'ada@example.com', password: 'ada-emulator' }
    expect((await connect(stack, laptop, ada)).status).toBe(200)
    const copied = [...phone.jar]
    expect((await phone.post('/api/auth/logout')).status).toBe(200)

    for (const later of [0, 29 * DAY]) {
      clock.advance(later)
      // Whoever copied the cookie keeps it, whatever the relay answers.
      const copy = createApiClient(stack.appUrl)
      for (const [name, value] of copied) copy.jar.set(name, value)
      const stolen = await copy.post('/api/withings/measure', { action: 'getmeas' })
      expect(stolen.status).toBe(401)
      expect((await stolen.json()).error.message).toBe('This session was disconnected.')
      expect((await laptop.post('/api/auth/session')).status).toBe(200)
    }
  })
})
