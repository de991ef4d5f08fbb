import { afterEach, describe, expect, test, vi } from 'vitest'
import type { NotifyStatus } from '../../relay/contract/wire-contract'
import { createCallbackUrls } from '../../relay/core/notify/callback-url'
import { createMemoryStore } from '../../relay/core/store/memory-store'
import type { SharedStore } from '../../relay/core/store/shared-store'
import { type ApiClient, createApiClient } from '../support/api-client'
import { openSession, SESSION_COOKIE, sealedField } from '../support/cookies'
import { deadUrl } from '../support/dead-url'
import { type LiveStream, openLiveStream } from '../support/live-stream'
import { connect, startLogin } from '../support/login'
import { testKey } from '../support/relay-config'
import { fakeClock, RELAY_KEY, type Stack, type StackOptions, startStack } from '../support/stack'

// Notifications end to end over real HTTP: the relay subscribes the person at the emulator after
// the code exchange, the emulator notifies the relay's callback as Withings would, and the
// notification reaches the person's open live stream.

const ALL_SCOPES = ['user.metrics', 'user.activity', 'user.sleepevents']
const DEMO = 363

let stack: Stack
const streams: LiveStream[] = []
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close()
  await stack?.close()
})

async function start(options: StackOptions = {}) {
  stack = await startStack(options)
  return stack
}

/** Connected as the demo user, or as a seeded account signing in. */
async function connected(scopes = ALL_SCOPES, account?: { email: string; password: string }) {
  const api = createApiClient(stack.appUrl)
  const answer = await connect(stack, api, {
    scopes,
    ...(account ? { demo: false, ...account } : {}),
  })
  expect(answer.status).toBe(200)
  return api
}

async function live(api: ApiClient, options?: Parameters<typeof openLiveStream>[1]) {
  const stream = await openLiveStream(api, options)
  streams.push(stream)
  return stream
}

const notifyCalls = (action?: string) =>
  stack.emulator.requests.count({ route: 'notify', ...(action && { action }) })

const subscriptionsOf = (userid = DEMO) =>
  stack.emulator.notifications.subscriptions.filter((s) => s.userid === userid)

async function notifyStatus(api: ApiClient): Promise<NotifyStatus> {
  const answer = await api.request('/api/notify')
  expect(answer.status).toBe(200)
  return answer.json()
}

/** The callback URL the relay subscribed for the demo user. */
function callbackUrl(): string {
  const url = subscriptionsOf()[0]?.callbackurl
  if (!url) throw new Error('nothing subscribed')
  return url
}

const postForm = (url: string, fields: Record<string, string>, init: RequestInit = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
    ...init,
  })

describe('subscriptions', () => {
  test('after the exchange, in the background: every category the scopes allow, once', async () => {
    await start()
    // Withings' Notify service answering slowly must not slow the exchange.
    stack.emulator.faults.inject({ type: 'delay', ms: 1_000 }, { on: 'data', times: 1 })
    const api = createApiClient(stack.appUrl)
    const { body } = await startLogin(stack, api, { scopes: ALL_SCOPES })
    expect((await api.post('/api/auth/token', body)).status).toBe(200)
    // The answer came before the slow list did, so before any subscription.
    expect(subscriptionsOf()).toEqual([])

    await stack.settled()
    const applis = subscriptionsOf().map((s) => s.appli)
    expect(applis.sort((a, b) => a - b)).toEqual([1, 4, 16, 44, 50, 51, 52])
    expect(new Set(subscriptionsOf().map((s) => s.callbackurl)).size).toBe(1)
    // Withings' callback has a prefix of its own, apart from the pages' /api/notify.
    expect(callbackUrl()).toMatch(
      new RegExp(`^${stack.appUrl}/api/hooks/withings/[A-Za-z0-9_-]{22}$`),
    )
    expect(notifyCalls('list')).toBe(1)
    expect(notifyCalls('subscribe')).toBe(7)
    // Paced as Home Assistant paces them: 5 s between two subscribes (not waited here).
    expect(stack.pauses).toEqual([5_000, 5_000, 5_000, 5_000, 5_000, 5_000])

    const status = await notifyStatus(api)
    expect(status.categories).toHaveLength(7)
    expect(status.categories.every((c) => c.state === 'subscribed')).toBe(true)
    expect(stack.logs).toContainEqual(
      expect.objectContaining({
        msg: 'notifications subscribed',
        subscribed: [1, 4, 16, 44, 50, 51, 52],
      }),
    )
  })

  test('only what the scopes allow: user.sleepevents alone is bed in, bed out, inflate done', async () => {
    await start()
    const api = await connected(['user.sleepevents'])
    await stack.settled()
    expect(subscriptionsOf().map((s) => s.appli)).toEqual([50, 51, 52])
    const { categories } = await notifyStatus(api)
    expect(categories.map((c) => [c.appli, c.scope, c.state])).toEqual([
      [50, 'user.sleepevents', 'subscribed'],
      [51, 'user.sleepevents', 'subscribed'],
      [52, 'user.sleepevents', 'subscribed'],
    ])
  })

  test('list first: connecting again subscribes nothing twice, and reloads cost Withings nothing', async () => {
    await start()
    const api = await connected()
    await stack.settled()
    expect(notifyCalls('subscribe')).toBe(7)

    await connected()
    await stack.settled()
    expect(notifyCalls('list')).toBe(2)
    expect(notifyCalls('subscribe')).toBe(7)
    expect(subscriptionsOf()).toHaveLength(7)

    const before = stack.emulator.requests.entries.length
    for (let reload = 0; reload < 3; reload++) {
      expect((await api.post('/api/auth/session')).status).toBe(200)
      await notifyStatus(api)
    }
    await stack.settled()
    expect(stack.emulator.requests.entries.length).toBe(before)
  })

  test('Withings cannot reach the callback: status 293, said in the log and by /api/notify, and not asked again at every reload', async () => {
    await start({ relay: { notifyCallbackBaseUrl: await deadUrl() } })
    const api = await connected(['user.sleepevents'])
    await stack.settled()
    expect(subscriptionsOf()).toEqual([])
    const { categories } = await notifyStatus(api)
    expect(categories).toEqual([
      { appli: 50, scope: 'user.sleepevents', state: 'failed', reason: 'callback_unreachable' },
      { appli: 51, scope: 'user.sleepevents', state: 'failed', reason: 'callback_unreachable' },
      { appli: 52, scope: 'user.sleepevents', state: 'failed', reason: 'callback_unreachable' },
    ])
    // Each category is asked: a 293 on one says nothing of the next (the callback's host may
    // just have been slow to answer Withings' HEAD).
    expect(notifyCalls('subscribe')).toBe(3)
    expect(stack.logs).toContainEqual(
      expect.objectContaining({ level: 'warn', withingsStatus: 293, action: 'subscribe' }),
    )
    const line = stack.logs.find((entry) => entry.withingsStatus === 293)
    expect(line?.msg).toContain('NOTIFY_CALLBACK_BASE_URL')

    const before = notifyCalls()
    expect((await api.post('/api/auth/session')).status).toBe(200)
    await notifyStatus(api)
    await stack.settled()
    expect(notifyCalls()).toBe(before)
  })

  test('a 293 on one category does not stop the others: the HEAD check failed once, the rest subscribed', async () => {
    let heads = 0
    await start({
      emulator: {
        // Withings' HEAD check of the callback fails the first time (a cold host), then passes.
        fetch: (request) =>
          request.method === 'HEAD' && heads++ === 0
            ? Promise.reject(new TypeError('fetch failed'))
            : fetch(request),
      },
    })
    const api = await connected(['user.sleepevents'])
    await stack.settled()
    expect(notifyCalls('subscribe')).toBe(3)
    expect(subscriptionsOf().map((s) => s.appli)).toEqual([51, 52])
    expect((await notifyStatus(api)).categories.map((c) => c.state)).toEqual([
      'failed',
      'subscribed',
      'subscribed',
    ])
    expect(stack.pauses).toEqual([5_000, 5_000])
  })

  test('every Notify call counts in the app budget: past it, "rate_limited", and nothing more is asked', async () => {
    // The exchange, the list and one subscribe fit (notification calls stop at four fifths of
    // the budget: 3 of 4); the second subscribe does not.
    await start({ relay: { withingsCallsPerMinute: 4 } })
    const api = await connected(['user.sleepevents'])
    await stack.settled()
    expect(notifyCalls('list')).toBe(1)
    expect(notifyCalls('subscribe')).toBe(1)
    const { categories } = await notifyStatus(api)
    expect(categories.map((c) => c.state)).toEqual(['subscribed', 'failed', 'failed'])
    expect(categories[1]).toMatchObject({ reason: 'rate_limited', retry_after: expect.any(Number) })
  })

  test('once the remembered outcome has expired, the next restore lists again, once', async () => {
    const clock = fakeClock()
    await start({ now: clock.now })
    const api = await connected(['user.sleepevents'])
    await stack.settled()
    expect(notifyCalls('list')).toBe(1)

    // A day later the success is checked again (Withings drops subscriptions whose callback
    // keeps failing); the access token died meanwhile, so the restore refreshes it first.
    clock.advance(25 * 3_600_000)
    expect((await api.post('/api/auth/session')).status).toBe(200)
    expect((await api.post('/api/auth/session')).status).toBe(200)
    await stack.settled()
    expect(notifyCalls('list')).toBe(2)
    expect(notifyCalls('subscribe')).toBe(3)
    expect((await notifyStatus(api)).categories.map((c) => c.state)).toEqual([
      'subscribed',
      'subscribed',
      'subscribed',
    ])
  })
})

test('twelve sessions of one person: restores list at Withings at most once in five minutes', async () => {
  const clock = fakeClock()
  await start({ now: clock.now, relay: { signInsPerAddress: 100, rateLimitPerMinute: 1_000 } })
  const sessions: ApiClient[] = []
  for (let i = 0; i < 12; i++) sessions.push(await connected(['user.sleepevents']))
  await stack.settled()
  // From now on Withings refuses every Notify call for a second (601): nothing is remembered
  // for longer than that, so every restore finds nothing remembered.
  stack.emulator.faults.inject(
    { type: 'status', status: 601, body: { wait_seconds: 1 } },
    { on: 'data' },
  )
  const lists = () => notifyCalls('list')
  const before = lists()
  const restoreAll = async () => {
    for (const api of sessions) expect((await api.post('/api/auth/session')).status).toBe(200)
    await stack.settled()
  }

  clock.advance(25 * 3_600_000)
  await restoreAll()
  expect(lists() - before).toBe(1)
  clock.advance(30_000)
  await restoreAll()
  expect(lists() - before).toBe(1)
  clock.advance(5 * 60_000)
  await restoreAll()
  expect(lists() - before).toBe(2)
})

describe('the callback', () => {
  async function subscribedStack(store?: SharedStore) {
    await start({ liveLimits: { heartbeatMs: 60_000 }, ...(store && { store }) })
    const api = await connected(ALL_SCOPES)
    await stack.settled()
    return api
  }

  test("answers Withings' HEAD check with 2xx, and an unknown shape with 404", async () => {
    await subscribedStack()
    expect((await fetch(callbackUrl(), { method: 'HEAD' })).status).toBe(200)
    expect(
      (await fetch(`${stack.appUrl}/api/hooks/withings/short`, { method: 'HEAD' })).status,
    ).toBe(404)
  })

  test('a bed-in at the emulator reaches the open stream, as a hint with its time', async () => {
    const api = await subscribedStack()
    const stream = await live(api)
    expect(stream.status).toBe(200)
    const triggered = await stack.emulator.notifications.trigger({ type: 'bed_in', userid: DEMO })
    expect(triggered.deliveries[0]?.attempts[0]).toMatchObject({
      outcome: 'delivered',
      httpStatus: 200,
    })
    const frame = await stream.next((f) => f.event === 'notify')
    expect(JSON.parse(frame.data)).toEqual({
      appli: 50,
      kind: 'bed_in',
      date: Number(triggered.payload.date),
    })
    expect(frame.id).toMatch(/^[0-9a-z]{9}-[0-9a-f]{8}$/)
  })

  test('a new weighing says which range to re-read', async () => {
    const api = await subscribedStack()
    const stream = await live(api)
    const triggered = await stack.emulator.notifications.trigger({ type: 'weighing', userid: DEMO })
    const frame = await stream.next((f) => f.event === 'notify')
    expect(JSON.parse(frame.data)).toEqual({
      appli: 1,
      kind: 'data',
      startdate: Number(triggered.payload.startdate),
      enddate: Number(triggered.payload.enddate),
    })
  })

  test('answers Withings before the store has taken the notification, then passes it on', async () => {
    const memory = createMemoryStore()
    let release: (() => void) | undefined
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let holding = false
    // The memory store, whose writes wait for `release` while `holding`: a store that never
    // answers in time, as Withings' 2-second deadline would see it.
    const store: SharedStore = {
      ...memory,
      set: async (key, value, options) => {
        if (holding) await held
        return memory.set(key, value, options)
      },
    }
    const api = await subscribedStack(store)
    const stream = await live(api)
    holding = true
    const answer = await postForm(callbackUrl(), {
      userid: String(DEMO),
      appli: '51',
      date: '1700000000',
      deviceid: 'a'.repeat(40),
    })
    expect(answer.status).toBe(200)
    expect(stream.frames).toEqual([])
    release?.()
    const frame = await stream.next((f) => f.event === 'notify')
    expect(JSON.parse(frame.data)).toEqual({ appli: 51, kind: 'bed_out', date: 1700000000 })
  })

  test('forged and mismatched notifications get 404; unreadable ones are acknowledged, logged and dropped; a repeat arrives once', async () => {
    const api = await subscribedStack()
    const stream = await live(api)
    const url = callbackUrl()
    const token = url.slice(url.lastIndexOf('/') + 1)
    const forgedToken = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`
    const bedOut = { userid: String(DEMO), appli: '51', date: '1700000000', deviceid: 'abc' }

    // Not this person's URL: a forgery, or a URL no key verifies any more.
    const refused: [string, Response][] = [
      ['forged token', await postForm(url.replace(token, forgedToken), bedOut)],
      ['another person', await postForm(url, { ...bedOut, userid: '4815162' })],
      ['no token', await postForm(`${stack.appUrl}/api/hooks/withings`, bedOut)],
      ['not a token', await postForm(`${stack.appUrl}/api/hooks/withings/short`, bedOut)],
    ]
    expect(Object.fromEntries(refused.map(([name, answer]) => [name, answer.status]))).toEqual({
      'forged token': 404,
      'another person': 404,
      'no token': 404,
      'not a token': 404,
    })
    // At a valid callback URL, whatever the fields: 2xx (a 4xx makes Withings retry, then
    // unsubscribe the person), the reason logged, nothing delivered.
    const acknowledged: [string, Response][] = [
      ['no userid', await postForm(url, { appli: '51', date: '1700000000' })],
      [
        'not a form',
        await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(bedOut),
        }),
      ],
      ['no date', await postForm(url, { userid: String(DEMO), appli: '51' })],
      ['a date that is no date', await postForm(url, { ...bedOut, date: 'yesterday' })],
      ['appli not a number', await postForm(url, { ...bedOut, appli: 'x' })],
      [
        'data without a range',
        await postForm(url, { userid: String(DEMO), appli: '1', startdate: '5' }),
      ],
      ['too large', await postForm(url, { ...bedOut, padding: 'x'.repeat(2_000) })],
      ['a category never subscribed', await postForm(url, { ...bedOut, appli: '54' })],
    ]
    expect(acknowledged.map(([name, answer]) => [name, answer.status])).toEqual(
      acknowledged.map(([name]) => [name, 200]),
    )
    const drops = stack.logs.filter((line) => line.msg === 'notification dropped')
    expect(drops.map((line) => line.reason)).toEqual([
      'no_userid',
      'not_a_form',
      'no_date',
      'not_a_time',
      'no_appli',
      'no_range',
      'too_large',
      'other_category',
    ])

    // Withings' retry of a notification it sent: both answered 2xx, delivered once.
    expect((await postForm(url, bedOut)).status).toBe(200)
    expect((await postForm(url, bedOut)).status).toBe(200)
    const marker = { ...bedOut, date: '1700000999' }
    expect((await postForm(url, marker)).status).toBe(200)
    await stream.next((f) => f.event === 'notify' && f.data.includes('1700000999'))
    await stack.settled()
    expect(stream.notifications()).toEqual([
      { appli: 51, kind: 'bed_out', date: 1_700_000_000 },
      { appli: 51, kind: 'bed_out', date: 1_700_000_999 },
    ])
    // The URL's secret appears in no log line: requests are logged by their route's pattern.
    expect(stack.logs).toContainEqual(
      expect.objectContaining({ route: '/api/hooks/withings/:token', status: 200 }),
    )
    expect(JSON.stringify(stack.logs)).not.toContain(token)
  })

  test('the former callback path still delivers, and the next session moves the subscriptions off it', async () => {
    const clock = fakeClock()
    await start({ now: clock.now, liveLimits: { heartbeatMs: 60_000 } })
    const api = await connected(['user.sleepevents'])
    await stack.settled()
    // As an older relay left them: the same token under /api/notify/callback.
    const current = callbackUrl()
    const former = current.replace('/api/hooks/withings/', '/api/notify/callback/')
    const accessToken =
      sealedField(await openSession(api.jar.get(SESSION_COOKIE), RELAY_KEY), 'accessToken') ?? ''
    for (const appli of ['50', '51', '52']) {
      const answer = await fetch(`${stack.emulatorUrl}/notify`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accessToken}` },
        body: new URLSearchParams({
          action: 'update',
          callbackurl: current,
          appli,
          new_callbackurl: former,
        }),
      })
      expect(await answer.json()).toMatchObject({ status: 0 })
    }

    const stream = await live(api)
    const triggered = await stack.emulator.notifications.trigger({ type: 'bed_in', userid: DEMO })
    expect(triggered.deliveries[0]).toMatchObject({ callbackurl: former, state: 'delivered' })
    await stream.next((f) => f.event === 'notify')

    // A day later the next session lists, subscribes the current URL, and revokes the former.
    clock.advance(25 * 3_600_000)
    stack.pauses.length = 0
    expect((await api.post('/api/auth/session')).status).toBe(200)
    await stack.settled()
    expect(subscriptionsOf().map((s) => [s.appli, s.callbackurl])).toEqual([
      [50, current],
      [51, current],
      [52, current],
    ])
    expect(notifyCalls('revoke')).toBe(3)
    expect(stack.pauses).toEqual([5_000, 5_000, 1_000, 1_000, 1_000])
    expect(stack.logs).toContainEqual(
      expect.objectContaining({
        msg: 'notifications moved to the current callback URL',
        revoked: 3,
      }),
    )
  })

  test('Withings retrying after a failed try: the retry is answered and counted once', async () => {
    const api = await subscribedStack()
    const stream = await live(api)
    const url = callbackUrl()
    const bedIn = { userid: String(DEMO), appli: '50', date: '2024-03-01T23:14:00Z', deviceid: 'x' }
    expect((await postForm(url, bedIn)).status).toBe(200)
    expect(
      (await postForm(url, { ...bedIn, date: String(Date.parse(bedIn.date) / 1000) })).status,
    ).toBe(200)
    await stream.next((f) => f.event === 'notify')
    await stack.settled()
    expect(stream.notifications()).toEqual([
      { appli: 50, kind: 'bed_in', date: Date.parse('2024-03-01T23:14:00Z') / 1000 },
    ])
  })
})

describe('the callback key (NOTIFY_CALLBACK_SECRET)', () => {
  test('apart from RELAY_SECRET: a leaked callback URL is retired without ending any session', async () => {
    const [oldKey, newKey] = [testKey('callback key 1'), testKey('callback key 2')]
    await start({ relay: { notifyCallbackSecrets: [oldKey] } })
    const api = await connected(['user.sleepevents'])
    await stack.settled()
    const leaked = callbackUrl()
    const path = new URL(leaked).pathname
    const bedIn = { userid: String(DEMO), appli: '50', date: '1700000000', deviceid: 'x' }
    // Not the URL RELAY_SECRET would make: the callback key alone makes and verifies it.
    const underRelayKey = await createCallbackUrls(stack.appUrl, [RELAY_KEY]).urlFor(String(DEMO))
    expect(underRelayKey).not.toBe(leaked)
    expect((await postForm(underRelayKey, bedIn)).status).toBe(404)

    // Rotation, gently: the new key first, the old one still verifies.
    const rotating = await stack.addRelay({ notifyCallbackSecrets: [newKey, oldKey] })
    expect((await postForm(`${rotating}${path}`, bedIn)).status).toBe(200)
    // Retired: the leaked URL is refused, and the person's session goes on.
    const retired = await stack.addRelay({ notifyCallbackSecrets: [newKey] })
    expect((await postForm(`${retired}${path}`, bedIn)).status).toBe(404)
    const session = await api.post('/api/auth/session', undefined, { base: retired })
    expect(session.status).toBe(200)
  })
})

describe('the live stream', () => {
  const bedIn = (date: number) => ({
    userid: String(DEMO),
    appli: '50',
    date: String(date),
    deviceid: 'x',
  })

  test('needs a session, and refuses other origins', async () => {
    await start()
    const nobody = createApiClient(stack.appUrl)
    const anonymous = await live(nobody)
    expect(anonymous.status).toBe(401)
    expect((await anonymous.json()).error.code).toBe('session_expired')

    const api = await connected()
    const foreign = await live(api, { headers: { origin: 'https://evil.example' } })
    expect(foreign.status).toBe(403)
    const crossSite = await live(api, { headers: { 'sec-fetch-site': 'cross-site' } })
    expect(crossSite.status).toBe(403)
    const own = await live(api, { headers: { origin: stack.appUrl } })
    expect(own.status).toBe(200)
    expect(own.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(own.headers.get('cache-control')).toBe('no-store')
  })

  // What a browser sends with an EventSource: Origin when cross-origin, Fetch Metadata always.
  test.each([
    [{ origin: 'https://evil.example' }, 403],
    [{ origin: 'null' }, 403],
    [{ 'sec-fetch-site': 'cross-site' }, 403],
    [{ 'sec-fetch-site': 'same-site' }, 403],
    [{ 'sec-fetch-site': 'same-origin' }, 200],
    [{ 'sec-fetch-site': 'none' }, 200],
    [{ origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' }, 403],
    [{ 'sec-fetch-site': undefined }, 200],
  ])('a stream asked with %o: %i', async (headers, status) => {
    await start()
    const api = await connected()
    const stream = await live(api, { headers })
    expect(stream.status).toBe(status)
    if (status === 403) {
      expect((await stream.json()).error).toMatchObject({
        code: 'forbidden_origin',
        message: 'This origin may not call the relay.',
      })
    }
  })

  test("an Origin, when sent, decides: the app's own may ask whatever Fetch Metadata says", async () => {
    await start()
    const api = await connected()
    const own = await live(api, {
      headers: { origin: stack.appUrl, 'sec-fetch-site': 'cross-site' },
    })
    expect(own.status).toBe(200)
  })

  test('says how long to wait before reconnecting, and beats every heartbeat', async () => {
    await start({ liveLimits: { heartbeatMs: 40, retryMs: 1_500 } })
    const api = await connected()
    const stream = await live(api)
    await vi.waitFor(() =>
      expect(stream.comments.filter((c) => c === 'heartbeat').length).toBeGreaterThan(1),
    )
    expect(stream.comments[0]).toBe('connected')
  })

  test('Last-Event-ID replays what came after it, in order; a fresh page gets the last bed event', async () => {
    await start()
    const api = await connected()
    await stack.settled()
    const first = await live(api)
    const url = callbackUrl()
    await postForm(url, bedIn(1_700_000_001))
    const seen = await first.next((f) => f.event === 'notify')
    first.close()

    await postForm(url, bedIn(1_700_000_002))
    await postForm(url, bedIn(1_700_000_003))
    await stack.settled()
    const again = await live(api, { headers: { 'last-event-id': seen.id ?? '' } })
    await again.next((f) => f.data.includes('1700000003'))
    expect(again.notifications()).toEqual([
      { appli: 50, kind: 'bed_in', date: 1_700_000_002 },
      { appli: 50, kind: 'bed_in', date: 1_700_000_003 },
    ])
    // The same through the query, as the SPA passes it after a failed connection.
    const byQuery = await live(api, { path: `/api/events?last_event_id=${seen.id}` })
    await byQuery.next((f) => f.data.includes('1700000003'))
    expect(byQuery.notifications()).toHaveLength(2)
    // A fresh page reads its data itself; only the bed, which has nothing to read, is replayed:
    // its last bed in or out.
    await postForm(url, { userid: String(DEMO), appli: '1', startdate: '5', enddate: '6' })
    await stack.settled()
    const fresh = await live(api)
    await fresh.next((f) => f.event === 'notify')
    expect(fresh.notifications()).toEqual([{ appli: 50, kind: 'bed_in', date: 1_700_000_003 }])
  })

  test('bounded per person and per instance, with a clear error past either', async () => {
    await start({ liveLimits: { maxStreamsPerPerson: 2, maxStreams: 3 } })
    const demo = await connected()
    await live(demo)
    await live(demo)
    const third = await live(demo)
    expect(third.status).toBe(429)
    expect((await third.json()).error).toMatchObject({
      code: 'rate_limited',
      message: expect.stringContaining('2 pages with live updates'),
    })

    const ada = { email: 'ada@example.com', password: 'ada-emulator' }
    await live(await connected(ALL_SCOPES, ada))
    // Another person's page, past what this instance holds.
    const grace = { email: 'grace@example.com', password: 'grace-emulator' }
    const full = await live(await connected(ALL_SCOPES, grace))
    expect(full.status).toBe(503)
    expect((await full.json()).error.code).toBe('relay_unavailable')

    // A closed stream frees its slot.
    streams[0]?.close()
    await vi.waitFor(async () => {
      const again = await live(demo)
      expect(again.status).toBe(200)
    })
  })

  test('Disconnect closes the session’s streams on every instance, and unsubscribes at Withings', async () => {
    await start()
    const api = await connected()
    await stack.settled()
    expect(subscriptionsOf()).toHaveLength(7)
    const second = await stack.addRelay()
    const here = await live(api)
    const there = await live(api, { base: second })
    expect(there.status).toBe(200)

    const answer = await api.post('/api/auth/logout')
    expect(await answer.json()).toEqual({ withings_informed: true })
    for (const stream of [here, there]) {
      await stream.ended
      expect(stream.frames.at(-1)?.event).toBe('ended')
    }
    // The revoke unsubscribed everything (reference: oauth2-revoke).
    expect(subscriptionsOf()).toEqual([])
    expect((await live(api)).status).toBe(401)
  })

  test('a revoke that cannot reach Withings: the relay unsubscribes with the still-live token', async () => {
    await start()
    const api = await connected()
    await stack.settled()
    expect(subscriptionsOf()).toHaveLength(7)
    // The revoke's signed calls fail; the Notify service still answers.
    stack.emulator.faults.inject({ type: 'http', status: 503 }, { on: 'token', times: 1 })
    const answer = await api.post('/api/auth/logout')
    expect(await answer.json()).toMatchObject({ withings_informed: false })
    await stack.settled()
    expect(subscriptionsOf()).toEqual([])
    expect(notifyCalls('revoke')).toBe(7)
    // Paced as Home Assistant paces them: 1 s between two revokes (not waited here).
    expect(stack.pauses.slice(-7)).toEqual([5_000, 1_000, 1_000, 1_000, 1_000, 1_000, 1_000])
  })

  test('shutting down tells open pages to reconnect, then closes; new streams are refused', async () => {
    await start({ liveLimits: { retryMs: 2_500 } })
    const api = await connected()
    const stream = await live(api)
    stack.shutDown()
    await stream.ended
    expect(stream.frames.at(-1)).toEqual({
      event: 'reconnect',
      data: '{"reason":"shutting_down"}',
      id: undefined,
      retry: 2_500,
    })
    const refused = await live(api)
    expect(refused.status).toBe(503)
    expect((await refused.json()).error.code).toBe('shutting_down')
  })
})
