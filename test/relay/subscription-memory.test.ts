import { createServer } from 'node:http'
import { afterEach, describe, expect, test } from 'vitest'
import type { NotifyStatus } from '../../relay/contract/wire-contract'
import { LIST_COOLDOWN_MS } from '../../relay/core/notify/subscriptions'
import { createMemoryStore } from '../../relay/core/store/memory-store'
import { type ApiClient, createApiClient } from '../support/api-client'
import { openSession, SESSION_COOKIE, sealedField } from '../support/cookies'
import { deadUrl } from '../support/dead-url'
import { connect, startLogin } from '../support/login'
import { fakeClock, RELAY_KEY, type Stack, type StackOptions, startStack } from '../support/stack'

// What the relay remembers of a person's notification subscriptions, and when it asks Withings
// again: after the wait Withings gave, when the memory cannot be read or was made for another
// callback URL, and, after a Disconnect Withings did not hear, to take back its own callbacks.

const DEMO = 363
const SECOND = 1_000
const SLEEP = ['user.sleepevents']

let stack: Stack
const closers: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const close of closers.splice(0)) await close()
  await stack?.close()
})

const notifyCalls = (action?: string) =>
  stack.emulator.requests.count({ route: 'notify', ...(action && { action }) })
const subscriptions = () =>
  stack.emulator.notifications.subscriptions.filter((s) => s.userid === DEMO)

async function connected(options: StackOptions = {}) {
  stack = await startStack(options)
  const api = createApiClient(stack.appUrl)
  expect((await connect(stack, api, { scopes: SLEEP })).status).toBe(200)
  return api
}

async function notifyStatus(api: ApiClient, base?: string): Promise<NotifyStatus> {
  const answer = await api.request('/api/notify', base ? { base } : {})
  expect(answer.status).toBe(200)
  return answer.json()
}

describe('when the relay asks Withings again', () => {
  test("after Withings' own wait (601 wait_seconds, here past the list's cooldown), not before", async () => {
    const clock = fakeClock()
    stack = await startStack({ now: clock.now })
    const api = createApiClient(stack.appUrl)
    const { body } = await startLogin(stack, api, { scopes: SLEEP })
    const tooMany = { type: 'status', status: 601, body: { wait_seconds: 600 } } as const
    stack.emulator.faults.inject(tooMany, { on: 'data', times: 1 })
    expect((await api.post('/api/auth/token', body)).status).toBe(200)
    await stack.settled()

    expect((await notifyStatus(api)).categories).toEqual(
      [50, 51, 52].map((appli) => ({
        appli,
        scope: 'user.sleepevents',
        state: 'failed',
        reason: 'rate_limited',
        retry_after: 600,
      })),
    )
    expect(stack.logs).toContainEqual({
      level: 'warn',
      msg: 'Withings asks to slow down: notification subscriptions are tried again later.',
      action: 'list',
      withingsStatus: 601,
    })
    expect(stack.logs).toContainEqual({
      level: 'warn',
      msg: 'notifications not all subscribed',
      subscribed: [],
      reason: 'rate_limited',
    })
    const asked = notifyCalls()
    clock.advance(600 * SECOND - SECOND)
    await notifyStatus(api)
    await stack.settled()
    expect(notifyCalls()).toBe(asked)
    clock.advance(2 * SECOND)
    expect((await notifyStatus(api)).categories.map((c) => c.state)).toEqual([
      'subscribed',
      'subscribed',
      'subscribed',
    ])
    expect(notifyCalls('list')).toBe(2)
  })

  test('a question asked while the relay is subscribing waits for the outcome', async () => {
    stack = await startStack()
    const api = createApiClient(stack.appUrl)
    const { body } = await startLogin(stack, api, { scopes: SLEEP })
    // Withings slow to list: the exchange answers first, the question comes meanwhile.
    stack.emulator.faults.inject({ type: 'delay', ms: 300 }, { on: 'data', times: 1 })
    expect((await api.post('/api/auth/token', body)).status).toBe(200)
    expect(subscriptions()).toEqual([])
    const { categories } = await notifyStatus(api)
    expect(categories.map((c) => c.state)).toEqual(['subscribed', 'subscribed', 'subscribed'])
  })

  test('a callback Withings cannot reach: said per category, and in the log with the base to fix', async () => {
    const base = await deadUrl()
    const api = await connected({ relay: { notifyCallbackBaseUrl: base } })
    expect((await notifyStatus(api)).categories[0]).toEqual({
      appli: 50,
      scope: 'user.sleepevents',
      state: 'failed',
      reason: 'callback_unreachable',
    })
    const refusal = stack.logs.find((line) => line.action === 'subscribe')
    expect(refusal).toEqual({
      level: 'warn',
      msg: expect.stringContaining('Set NOTIFY_CALLBACK_BASE_URL'),
      action: 'subscribe',
      appli: 50,
      withingsStatus: 293,
      callbackBase: base,
    })
  })
})

describe('what the relay remembers', () => {
  const recordKey = `notify-subscriptions:${DEMO}`

  test.each([
    ['no JSON at all', () => 'not json'],
    ['a list', () => '[]'],
    ['no url', (record: string) => record.replace(/"url":"[^"]*"/, '"url":7')],
    [
      'no categories',
      (record: string) => record.replace(/"categories":\{.*\}/, '"categories":null'),
    ],
    ['a category it does not know', (record: string) => record.replace('"50":', '"49":')],
    [
      'an outcome it does not know',
      (record: string) => record.replace('"50":"subscribed"', '"50":"maybe"'),
    ],
    [
      'a reason it does not know',
      (record: string) => record.replace('"50":"subscribed"', '"50":{"reason":"gremlins"}'),
    ],
    ['another callback URL', (record: string) => record.replace(/"url":"[^"]*"/, '"url":"0"')],
  ])('%s: it lists again on the next restore', async (_, spoil) => {
    const clock = fakeClock()
    const store = createMemoryStore({ now: clock.now })
    const api = await connected({ now: clock.now, store })
    const record = (await store.get(recordKey)) ?? ''
    expect(JSON.parse(record)).toEqual({
      url: expect.any(String),
      categories: { 50: 'subscribed', 51: 'subscribed', 52: 'subscribed' },
    })
    // Past the person's list cooldown (5 minutes), with the memory spoiled meanwhile.
    clock.advance(LIST_COOLDOWN_MS + SECOND)
    await store.set(recordKey, spoil(record), { ttlMs: 60 * 60 * SECOND })
    expect((await api.post('/api/auth/session')).status).toBe(200)
    await stack.settled()
    expect(notifyCalls('list')).toBe(2)
    expect(await store.get(recordKey)).toBe(record)
  })

  test('a remembered failure without its wait is still a failure, and is not asked again', async () => {
    const clock = fakeClock()
    const store = createMemoryStore({ now: clock.now })
    const api = await connected({ now: clock.now, store })
    const record = (await store.get(recordKey)) ?? ''
    const spoiled = record.replace(
      '"50":"subscribed"',
      '"50":{"reason":"rate_limited","retry_after":"soon"}',
    )
    await store.set(recordKey, spoiled, { ttlMs: 60 * 60 * SECOND })
    expect((await notifyStatus(api)).categories[0]).toEqual({
      appli: 50,
      scope: 'user.sleepevents',
      state: 'failed',
      reason: 'rate_limited',
    })
    await stack.settled()
    expect(notifyCalls('list')).toBe(1)
  })

  test('a new first key makes a new callback URL: the next restore subscribes it and revokes the old', async () => {
    const clock = fakeClock()
    const api = await connected({ now: clock.now })
    const [before] = subscriptions().map((s) => s.callbackurl)
    clock.advance(LIST_COOLDOWN_MS + SECOND)
    const rotated = await stack.addRelay({
      relaySecrets: ['a-new-relay-key-0123456789abcdef', RELAY_KEY],
    })
    expect((await api.post('/api/auth/session', undefined, { base: rotated })).status).toBe(200)
    await stack.settled()
    expect(notifyCalls('list')).toBe(2)
    // Subscribed at the new URL, and the old one's subscriptions revoked.
    const urls = new Set(subscriptions().map((s) => s.callbackurl))
    expect(urls.size).toBe(1)
    expect(urls.has(before ?? '')).toBe(false)
    expect(notifyCalls('revoke')).toBe(3)
  })
})

describe('after a Disconnect Withings did not hear', () => {
  test("the relay takes back its own callbacks with the still-living token, and leaves another app's", async () => {
    const api = await connected()
    // Another app of the same Withings client, notified at its own callback, for this person.
    const other = createServer((_, response) => response.end())
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve))
    closers.push(() => new Promise((resolve) => other.close(resolve)))
    const address = other.address()
    const hook = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`
    const token =
      sealedField(await openSession(api.jar.get(SESSION_COOKIE), RELAY_KEY), 'accessToken') ?? ''
    const subscribed = await fetch(`${stack.emulatorUrl}/notify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: new URLSearchParams({ action: 'subscribe', callbackurl: hook, appli: '50' }),
    })
    expect((await subscribed.json()).status).toBe(0)
    expect(subscriptions()).toHaveLength(4)

    stack.emulator.faults.inject({ type: 'http', status: 503 }, { on: 'token', times: 2 })
    const answer = await api.post('/api/auth/logout')
    expect(await answer.json()).toMatchObject({ withings_informed: false })
    await stack.settled()
    expect(subscriptions().map((s) => s.callbackurl)).toEqual([hook])
  })
})

describe("the callback's address", () => {
  test("Withings' check (HEAD) accepts a token of exactly its shape, and a base's trailing slash is dropped", async () => {
    const api = await connected({ relay: (appUrl) => ({ notifyCallbackBaseUrl: `${appUrl}//` }) })
    const [url = ''] = subscriptions().map((s) => s.callbackurl)
    expect(url).toMatch(new RegExp(`^${stack.appUrl}/api/hooks/withings/[A-Za-z0-9_-]{22}$`))
    const token = url.slice(url.lastIndexOf('/') + 1)
    const head = (path: string) =>
      fetch(`${stack.appUrl}/api/hooks/withings/${path}`, { method: 'HEAD' })
    expect((await head(token)).status).toBe(200)
    for (const wrong of [`${token}x`, `x${token}`, token.slice(1)]) {
      expect((await head(wrong)).status, wrong).toBe(404)
    }
    expect((await notifyStatus(api)).categories.map((c) => c.state)).toContain('subscribed')
  })
})
