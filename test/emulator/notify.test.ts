import { afterEach, describe, expect, it } from 'vitest'
import { insufficientScopeAnswer } from '../fixtures/withings/errors'
import {
  demoToken,
  type NotifyStack,
  notify,
  startNotifyStack,
  triggerEvent,
} from './notify-support'
import { nonce, revoke } from './signing'
import { codeFor, dataCall, exchangeCode } from './support'

// Withings' Notify service as the emulator plays it, over real HTTP, with a real callback server.

const SECOND = 1000
const DEMO = 363
const ALL_SCOPES = 'user.info,user.metrics,user.activity,user.sleepevents'
/** Withings' schedule with the shortest random waits: two tries per cycle (notification overview). */
const PLANNED = [0, 0, 10, 10, 130, 130, 3850, 3850, 18430, 18430].map((s) => s * SECOND)

let stack: NotifyStack
afterEach(() => stack?.close())

async function subscribed(scope = ALL_SCOPES, appli = '50', path = '/withings/notify?k=1') {
  const token = await demoToken(stack, scope)
  const callbackurl = `${stack.callbacks.url}${path}`
  const answer = await notify(stack, token, {
    action: 'subscribe',
    callbackurl,
    appli,
    comment: 'hi',
  })
  return { token, callbackurl, answer }
}

describe('subscribe', () => {
  it('checks the callback with a HEAD request, then lists, gets and keeps the subscription', async () => {
    stack = await startNotifyStack()
    const { token, callbackurl, answer } = await subscribed()
    expect(answer).toEqual({ status: 0, body: {} })
    expect(stack.callbacks.received).toEqual([
      expect.objectContaining({ method: 'HEAD', path: '/withings/notify?k=1' }),
    ])
    const listed = await notify(stack, token, { action: 'list' })
    expect(listed).toEqual({
      status: 0,
      body: { profiles: [{ appli: 50, callbackurl, comment: 'hi', expires: 2147483647 }] },
    })
    expect(await notify(stack, token, { action: 'get', callbackurl, appli: '50' })).toEqual({
      status: 0,
      body: { appli: 50, callbackurl, comment: 'hi', expires: 2147483647 },
    })
    expect(stack.emulator.notifications.subscriptions).toMatchObject([
      { userid: DEMO, appli: 50, callbackurl },
    ])
  })

  it.each([
    ['answers 404', { status: 404 }],
    ['answers 500', { status: 500 }],
    ['answers after the 2 s deadline', { status: 200, delayMs: 2_300 }],
  ])('refuses a callback whose HEAD %s, with status 293', async (_, reply) => {
    stack = await startNotifyStack()
    stack.callbacks.answer = () => reply
    const { token, answer } = await subscribed()
    expect(answer).toEqual({
      status: 293,
      body: {},
      error: 'The callback URL is either absent or incorrect',
    })
    expect((await notify(stack, token, { action: 'list' })).body).toEqual({ profiles: [] })
  })

  it('refuses a callback nothing listens on, and one that is not a URL', async () => {
    stack = await startNotifyStack()
    const token = await demoToken(stack, ALL_SCOPES)
    for (const callbackurl of ['http://127.0.0.1:9/notify', 'not a url', 'ftp://127.0.0.1/x']) {
      expect(
        (await notify(stack, token, { action: 'subscribe', callbackurl, appli: '1' })).status,
      ).toBe(293)
    }
  })

  it("with Withings' own callback rules, refuses a local callback before any request", async () => {
    stack = await startNotifyStack({ allowLocalCallbacks: false })
    const redirectUri = 'https://app.example.com/oauth/callback'
    const code = await codeFor(stack.emulator, {
      mode: 'demo',
      redirect_uri: redirectUri,
      scope: ALL_SCOPES,
    })
    const token = String((await exchangeCode(stack.emulator, code, redirectUri)).body.access_token)
    const callbackurl = `${stack.callbacks.url}/n`
    expect(
      (await notify(stack, token, { action: 'subscribe', callbackurl, appli: '50' })).status,
    ).toBe(293)
    expect(stack.callbacks.received).toEqual([])
  })

  it('needs the scope of the category', async () => {
    stack = await startNotifyStack()
    const metrics = await demoToken(stack, 'user.metrics')
    const sleepEvents = await demoToken(stack, 'user.sleepevents')
    const activity = await demoToken(stack, 'user.activity')
    const callbackurl = `${stack.callbacks.url}/n`
    const statusOf = async (token: string, appli: string) =>
      (await notify(stack, token, { action: 'subscribe', callbackurl, appli })).status
    for (const appli of ['1', '4', '54']) expect(await statusOf(metrics, appli)).toBe(0)
    for (const appli of ['16', '44', '50', '51', '52'])
      expect(await statusOf(metrics, appli)).toBe(403)
    for (const appli of ['16', '44']) expect(await statusOf(activity, appli)).toBe(0)
    for (const appli of ['1', '50']) expect(await statusOf(activity, appli)).toBe(403)
    for (const appli of ['50', '51', '52']) expect(await statusOf(sleepEvents, appli)).toBe(0)
    for (const appli of ['1', '16', '54']) expect(await statusOf(sleepEvents, appli)).toBe(403)
    expect(await notify(stack, metrics, { action: 'subscribe', callbackurl, appli: '50' })).toEqual(
      insufficientScopeAnswer,
    )
    expect(await notify(stack, metrics, { action: 'subscribe', callbackurl, appli: '3' })).toEqual({
      status: 503,
      body: {},
      error: 'Invalid Params: invalid appli',
    })
  })

  it('keeps both when the same callback and category are subscribed twice, and notifies both', async () => {
    stack = await startNotifyStack()
    const first = await subscribed()
    const second = await subscribed()
    expect(second.answer.status).toBe(0)
    expect(
      (await notify(stack, first.token, { action: 'list', appli: '50' })).body.profiles,
    ).toHaveLength(2)
    await triggerEvent(stack, { type: 'bed_in', userid: DEMO })
    expect(stack.callbacks.posts).toHaveLength(2)
  })

  it('answers 401 without a live access token, and counts in the app budget', async () => {
    stack = await startNotifyStack({ requestsPerMinute: 3 })
    expect((await notify(stack, 'not-a-token', { action: 'list' })).status).toBe(401)
    const token = await demoToken(stack, ALL_SCOPES) // the code exchange is call 1
    expect((await notify(stack, token, { action: 'list' })).status).toBe(0)
    expect((await notify(stack, token, { action: 'list' })).status).toBe(0)
    expect(await notify(stack, token, { action: 'list' })).toMatchObject({ status: 601 })
    expect(stack.emulator.requests.count({ route: 'notify', action: 'list' })).toBe(4)
  })
  it('lists a subscription made without a comment with comment: null', async () => {
    stack = await startNotifyStack()
    const token = await demoToken(stack, ALL_SCOPES)
    const callbackurl = `${stack.callbacks.url}/plain`
    expect(await notify(stack, token, { action: 'subscribe', callbackurl, appli: '51' })).toEqual({
      status: 0,
      body: {},
    })
    // As home-assistant/core's notify_list.json fixture records it.
    expect((await notify(stack, token, { action: 'list' })).body).toEqual({
      profiles: [{ appli: 51, callbackurl, comment: null, expires: 2147483647 }],
    })
  })
})

describe('get, update and revoke', () => {
  it('update changes one thing of the newest matching subscription', async () => {
    stack = await startNotifyStack()
    const { token, callbackurl } = await subscribed()
    const moved = `${stack.callbacks.url}/moved`
    expect(
      await notify(stack, token, {
        action: 'update',
        callbackurl,
        appli: '50',
        new_callbackurl: moved,
      }),
    ).toEqual({ status: 0, body: {} })
    expect(
      (
        await notify(stack, token, {
          action: 'update',
          callbackurl: moved,
          appli: '50',
          new_appli: '51',
        })
      ).status,
    ).toBe(0)
    expect(
      (
        await notify(stack, token, {
          action: 'update',
          callbackurl: moved,
          appli: '51',
          comment: 'new',
        })
      ).status,
    ).toBe(0)
    expect((await notify(stack, token, { action: 'list' })).body.profiles).toEqual([
      { appli: 51, callbackurl: moved, comment: 'new', expires: 2147483647 },
    ])
    // Two changes at once, or a subscription that is not there.
    expect(
      (
        await notify(stack, token, {
          action: 'update',
          callbackurl: moved,
          appli: '51',
          new_appli: '50',
          comment: 'x',
        })
      ).status,
    ).toBe(503)
    expect(
      await notify(stack, token, { action: 'update', callbackurl, appli: '50', comment: 'x' }),
    ).toEqual({ status: 286, body: {}, error: 'No such subscription was found' })
  })

  it('get answers 286 and revoke 294 when there is nothing; revoke removes what there is', async () => {
    stack = await startNotifyStack()
    const { token, callbackurl } = await subscribed(ALL_SCOPES, '1')
    expect((await notify(stack, token, { action: 'get', callbackurl })).status).toBe(0) // appli 1 by default
    expect(await notify(stack, token, { action: 'get', callbackurl, appli: '4' })).toEqual({
      status: 286,
      body: {},
      error: 'No such subscription was found',
    })
    expect(await notify(stack, token, { action: 'revoke', callbackurl, appli: '1' })).toEqual({
      status: 0,
      body: {},
    })
    expect(await notify(stack, token, { action: 'revoke', callbackurl, appli: '1' })).toEqual({
      status: 294,
      body: {},
      error: 'No such subscription could be deleted',
    })
    expect(stack.emulator.notifications.subscriptions).toEqual([])
  })

  it("Withings' revoke of the person's access removes their subscriptions for that client", async () => {
    stack = await startNotifyStack()
    await subscribed(ALL_SCOPES, '50')
    await subscribed(ALL_SCOPES, '1')
    expect(stack.emulator.notifications.subscriptions).toHaveLength(2)
    const now = () => Date.UTC(2025, 5, 15, 10, 0, 0) // the support clock's start
    expect((await revoke(stack.emulator, await nonce(stack.emulator, now), DEMO)).status).toBe(0)
    expect(stack.emulator.notifications.subscriptions).toEqual([])
    const triggered = await triggerEvent(stack, { type: 'bed_in', userid: DEMO })
    expect(triggered.body.deliveries).toEqual([])
    expect(stack.callbacks.posts).toEqual([])
  })
})

describe('deliveries', () => {
  it('POSTs userid, appli, date and deviceid, form-encoded, for a bed event', async () => {
    stack = await startNotifyStack()
    const { callbackurl } = await subscribed(ALL_SCOPES, '50')
    const triggered = await triggerEvent(stack, { type: 'bed_in', userid: DEMO })
    expect(triggered.status).toBe(201)
    const [post] = stack.callbacks.posts
    expect(post?.path).toBe('/withings/notify?k=1')
    expect(post?.contentType).toBe('application/x-www-form-urlencoded')
    expect(post?.fields).toEqual({
      userid: String(DEMO),
      appli: '50',
      date: String(Math.floor(Date.UTC(2025, 5, 15, 10, 0, 0) / 1000)),
      deviceid: expect.stringMatching(/^[0-9a-f]{40}$/),
    })
    const [delivery] = stack.emulator.notifications.deliveries
    expect(delivery?.state).toBe('delivered')
    expect(delivery).toMatchObject({ userid: DEMO, appli: 50, callbackurl })
    expect(delivery?.attempts).toEqual([
      expect.objectContaining({ try: 1, plannedAfterMs: 0, outcome: 'delivered', httpStatus: 204 }),
    ])
  })

  it.each([
    [204, 'delivered'],
    [302, 'delivered'],
    [399, 'delivered'],
    [400, 'refused'],
    [404, 'refused'],
  ] as const)('an answer %i counts as %s ("< 400, ideally 2xx")', async (status, outcome) => {
    stack = await startNotifyStack()
    await subscribed(ALL_SCOPES, '50')
    stack.callbacks.answer = (request) => ({ status: request.method === 'HEAD' ? 200 : status })
    await triggerEvent(stack, { type: 'bed_in', userid: DEMO })
    await stack.emulator.notifications.settled()
    const [delivery] = stack.emulator.notifications.deliveries
    expect(delivery?.attempts[0]).toMatchObject({ outcome, httpStatus: status })
    expect(delivery?.state).toBe(outcome === 'delivered' ? 'delivered' : 'failed')
  })

  it('only to the subscriptions of that category and person', async () => {
    stack = await startNotifyStack()
    await subscribed(ALL_SCOPES, '51')
    await triggerEvent(stack, { type: 'bed_in', userid: DEMO })
    await triggerEvent(stack, { type: 'bed_out', userid: 4815162 })
    expect(stack.callbacks.posts).toEqual([])
    await triggerEvent(stack, { type: 'bed_out', userid: DEMO })
    expect(stack.callbacks.posts.map((post) => post.fields.appli)).toEqual(['51'])
  })

  it('a new weighing joins getmeas and is announced with its time range', async () => {
    stack = await startNotifyStack()
    const { token } = await subscribed(ALL_SCOPES, '1')
    const triggered = await triggerEvent(stack, { type: 'weighing', userid: DEMO, kg: 71.3 })
    expect(triggered.status).toBe(201)
    const fields = stack.callbacks.posts[0]?.fields ?? {}
    expect(Object.keys(fields).sort()).toEqual(['appli', 'enddate', 'startdate', 'userid'])
    expect(fields).toMatchObject({ userid: String(DEMO), appli: '1' })

    const answer = await dataCall(
      stack.emulator,
      'measure',
      {
        action: 'getmeas',
        meastype: '1',
        startdate: fields.startdate ?? '',
        enddate: fields.enddate ?? '',
      },
      token,
    )
    expect(answer.status).toBe(0)
    expect(answer.body.measuregrps).toEqual([
      expect.objectContaining({
        date: Number(fields.startdate),
        attrib: 0,
        category: 1,
        measures: [expect.objectContaining({ type: 1, value: 71300, unit: -3 })],
      }),
    ])
    expect(stack.emulator.data.latestMeasure(DEMO, 1)?.real).toBe(71.3)
  })

  it("retries a failing callback on Withings' schedule, then removes the subscription", async () => {
    stack = await startNotifyStack()
    const { token } = await subscribed(ALL_SCOPES, '50')
    stack.callbacks.answer = (request) => ({ status: request.method === 'HEAD' ? 200 : 500 })
    await triggerEvent(stack, { type: 'bed_in', userid: DEMO })
    await stack.emulator.notifications.settled()

    expect(stack.callbacks.posts).toHaveLength(10)
    const [delivery] = stack.emulator.notifications.deliveries
    expect(delivery?.state).toBe('failed')
    expect(delivery?.attempts.map((attempt) => attempt.plannedAfterMs)).toEqual(PLANNED)
    expect(new Set(delivery?.attempts.map((a) => `${a.outcome} ${a.httpStatus}`))).toEqual(
      new Set(['refused 500']),
    )
    expect(stack.scheduler.delays).toEqual([10, 120, 3720, 14580].map((s) => s * SECOND))
    expect(delivery?.subscriptionRemoved).toBe(true)
    expect((await notify(stack, token, { action: 'list' })).body).toEqual({ profiles: [] })
  })

  it('counts a callback slower than 2 s as failed, and stops at the first try that succeeds', async () => {
    stack = await startNotifyStack()
    await subscribed(ALL_SCOPES, '50')
    let posts = 0
    // Far past the deadline, so that a loaded machine's late timers cannot let the answer win.
    stack.callbacks.answer = (request) =>
      request.method === 'POST' && ++posts === 1 ? { status: 200, delayMs: 6_000 } : { status: 200 }
    await triggerEvent(stack, { type: 'bed_in', userid: DEMO })
    await stack.emulator.notifications.settled()
    const [delivery] = stack.emulator.notifications.deliveries
    expect(delivery?.state).toBe('delivered')
    expect(delivery?.attempts.map((attempt) => attempt.outcome)).toEqual(['timeout', 'delivered'])
    expect(delivery?.attempts[0]?.durationMs).toBeGreaterThanOrEqual(1_900)
    expect(delivery?.attempts[0]?.durationMs).toBeLessThan(6_000)
    expect(stack.emulator.notifications.subscriptions).toHaveLength(1)
  }, 30_000)

  it('removes the subscription of a callback that never answers in time', async () => {
    stack = await startNotifyStack({ callbackDeadlineMs: 150 })
    await subscribed(ALL_SCOPES, '52')
    // Far past the deadline, so that a loaded machine's late timers cannot let an answer win.
    stack.callbacks.answer = (request) =>
      request.method === 'HEAD' ? { status: 200 } : { status: 200, delayMs: 5_000 }
    await triggerEvent(stack, { type: 'inflate_done', userid: DEMO })
    await stack.emulator.notifications.settled()
    const [delivery] = stack.emulator.notifications.deliveries
    expect(delivery?.attempts.map((attempt) => attempt.outcome)).toEqual(Array(10).fill('timeout'))
    expect(delivery?.subscriptionRemoved).toBe(true)
    expect(stack.emulator.notifications.subscriptions).toEqual([])
  }, 30_000) // ten deadlines of real sockets: seconds on a loaded machine

  it('stops retrying once the subscription is revoked', async () => {
    stack = await startNotifyStack()
    const { token, callbackurl } = await subscribed(ALL_SCOPES, '50')
    stack.callbacks.answer = (request) => {
      if (request.method === 'POST') {
        void notify(stack, token, { action: 'revoke', callbackurl, appli: '50' })
      }
      return { status: request.method === 'HEAD' ? 200 : 503 }
    }
    await triggerEvent(stack, { type: 'bed_in', userid: DEMO })
    await stack.emulator.notifications.settled()
    const [delivery] = stack.emulator.notifications.deliveries
    expect(delivery?.state).toBe('cancelled')
    expect(delivery?.attempts).toHaveLength(2)
  })
})
