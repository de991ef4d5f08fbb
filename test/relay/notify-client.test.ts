import { afterAll, afterEach, describe, expect, test } from 'vitest'
import { RelayError } from '../../relay/core/errors'
import type { LogLine } from '../../relay/core/http/request-log'
import { createAppBudget } from '../../relay/core/limits/app-budget'
import { createMemoryStore } from '../../relay/core/store/memory-store'
import { createNotifyClient, NotifyRefused } from '../../relay/core/withings/notify-client'
import type { UpstreamFetch } from '../../relay/core/withings/upstream'
import type { Fault } from '../../relay/emulator/emulator'
import { createHttpUpstream } from '../../relay/node/http-upstream'
import { type Listening, listen } from '../../relay/node/listen'
import { type CallbackServer, startCallbackServer } from '../emulator/notify-support'
import { setup, signedIn } from '../emulator/support'
import { notifyListAnswer } from '../fixtures/withings/notify'

// The relay's Notify client (list, subscribe, revoke with the person's access token) against the
// real emulator over real HTTP; list answers the emulator never gives come from a stand-in fetch.

const upstream = createHttpUpstream()
let callbacks: CallbackServer | undefined
let server: Listening | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})
afterAll(async () => {
  upstream.close()
  await callbacks?.close()
})

const logged: LogLine[] = []
const budgetOf = (perMinute = 100) =>
  createAppBudget({
    store: createMemoryStore(),
    perMinute,
    exchangesPerClient: 6,
    now: Date.now,
    log: (line) => logged.push(line),
  })

async function served() {
  callbacks ??= await startCallbackServer()
  const context = setup()
  server = await listen(context.emulator.fetch, { hostname: '127.0.0.1' })
  const { access } = await signedIn(context.emulator, {
    scope: 'user.info,user.metrics,user.activity,user.sleepevents',
  })
  const client = createNotifyClient({
    fetch: upstream.fetch,
    timeoutMs: 1_000,
    apiUrl: server.url,
    budget: budgetOf(),
  })
  return { ...context, client, access, callbackurl: `${callbacks.url}/notify` }
}

/** A client whose Withings (a stand-in fetch) answers every call with this HTTP status and text. */
function answering(status: number, text: string) {
  const fetch: UpstreamFetch = async () => ({ status, text: async () => text })
  return createNotifyClient({
    fetch,
    timeoutMs: 1_000,
    apiUrl: 'https://wbsapi.example',
    budget: budgetOf(),
  })
}

async function refusalOf(promise: Promise<unknown>): Promise<NotifyRefused> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  if (!(error instanceof NotifyRefused)) throw new Error(`Expected NotifyRefused, got ${error}`)
  return error
}

describe('list, subscribe and revoke at the emulator', () => {
  test('subscribe adds one category under our comment, list shows it, revoke removes it', async () => {
    const { emulator, client, access, callbackurl } = await served()
    expect(await client.list(access)).toEqual([])

    await client.subscribe(access, 1, callbackurl)
    await client.subscribe(access, 50, callbackurl)
    expect(await client.list(access)).toEqual([
      { appli: 1, callbackurl },
      { appli: 50, callbackurl },
    ])
    expect(
      emulator.notifications.subscriptions.map(({ appli, comment }) => [appli, comment]),
    ).toEqual([
      [1, 'withings-link'],
      [50, 'withings-link'],
    ])

    await client.revoke(access, 1, callbackurl)
    expect(await client.list(access)).toEqual([{ appli: 50, callbackurl }])
    expect(emulator.requests.count({ route: 'notify' })).toBe(6)
  })

  test('every call counts in the app budget; past it, rate_limited with its wait and no call made', async () => {
    const { emulator, access, callbackurl } = await served()
    const client = createNotifyClient({
      fetch: upstream.fetch,
      timeoutMs: 1_000,
      apiUrl: String(server?.url),
      budget: budgetOf(1),
    })
    await client.list(access)
    const refusal = await refusalOf(client.subscribe(access, 1, callbackurl))
    expect(refusal.reason).toBe('rate_limited')
    expect(refusal.withingsStatus).toBeUndefined()
    expect(refusal.retryAfter).toBeGreaterThan(0)
    expect(refusal.cause).toBeInstanceOf(RelayError)
    expect(emulator.requests.count({ route: 'notify' })).toBe(1)
  })
})

describe("Withings' refusals, each as the reason the relay shows", () => {
  const cases: [status: number, error: string | undefined, reason: string, wait?: number][] = [
    [293, 'Callback URL is unreachable', 'callback_unreachable'],
    [601, 'Too many requests', 'rate_limited', 10],
    [401, 'Authentication failed', 'token_expired'],
    [100, undefined, 'token_expired'],
    [214, 'Unauthorized', 'scope_denied'],
    [2553, undefined, 'scope_denied'],
    [403, 'Insufficient_scope: The request requires higher privileges', 'scope_denied'],
    [522, 'Timeout', 'withings_unavailable'],
    [524, 'Bad state', 'withings_unavailable'],
    [2554, 'Not implemented', 'refused'],
    [503, 'Invalid Params', 'refused'],
    [9999, 'An unknown error', 'refused'],
  ]
  test.each(cases)('status %i (%s) is %s', async (status, error, reason, wait) => {
    const { emulator, client, access, callbackurl } = await served()
    emulator.faults.inject(
      { type: 'status', status, ...(error && { error }) },
      { on: 'data', times: 1 },
    )
    const refusal = await refusalOf(client.subscribe(access, 1, callbackurl))
    expect(refusal).toMatchObject({
      name: 'NotifyRefused',
      message: `Notify call refused: ${reason}`,
      reason,
      withingsStatus: status,
      retryAfter: wait,
    })
    expect(emulator.notifications.subscriptions).toEqual([])
  })

  const transport: [fault: Fault, reason: string][] = [
    [{ type: 'http', status: 503 }, 'withings_unavailable'],
    [{ type: 'delay', ms: 1_500 }, 'withings_unavailable'],
    [{ type: 'broken-json' }, 'withings_unavailable'],
  ]
  test.each(transport)(
    'the way to Withings failing (%o) is %s, its cause kept',
    async (fault, reason) => {
      const { emulator, client, access } = await served()
      emulator.faults.inject(fault, { on: 'data', times: 1 })
      const refusal = await refusalOf(client.list(access))
      expect(refusal.reason).toBe(reason)
      expect(refusal.withingsStatus).toBeUndefined()
      expect(refusal.retryAfter).toBeUndefined()
      expect(refusal.cause).toBeInstanceOf(RelayError)
    },
  )

  test.each([
    [404, '<html>Not Found</html>'],
    [200, '{"body":{"profiles":[]}}'],
  ])(
    'an answer that is no envelope (HTTP %i, %s) is refused, its cause kept',
    async (status, text) => {
      const refusal = await refusalOf(answering(status, text).list('t'))
      expect(refusal.reason).toBe('refused')
      expect(refusal.withingsStatus).toBeUndefined()
      expect(refusal.cause).toBeInstanceOf(RelayError)
    },
  )

  test('a failure that is no Withings answer (a bug) is thrown as it is', async () => {
    const bug = new TypeError('not a refusal')
    const client = createNotifyClient({
      fetch: upstream.fetch,
      timeoutMs: 1_000,
      apiUrl: 'http://127.0.0.1:9',
      budget: {
        take: () => Promise.reject(bug),
        takeExchange: () => Promise.reject(bug),
      },
    })
    await expect(client.list('token')).rejects.toBe(bug)
  })
})

describe('list answers as they may come', () => {
  /** A client whose Withings answers `list` with these profiles. */
  const listing = (profiles: unknown) =>
    answering(200, JSON.stringify({ status: 0, body: profiles === undefined ? {} : { profiles } }))
  const url = 'https://app.example.com/api/hooks/withings/x'

  test('no profiles, or profiles that are no list, are nothing subscribed', async () => {
    expect(await listing(undefined).list('t')).toEqual([])
    expect(await listing({ appli: 1, callbackurl: url }).list('t')).toEqual([])
  })

  test('a category as a string of digits is read as a number; broken entries are dropped alone', async () => {
    const answer = await listing([
      { appli: 1, callbackurl: url, expires: 2147483647, comment: 'withings-link' },
      { appli: '44', callbackurl: url },
      null,
      'appli=4',
      { appli: 4.5, callbackurl: url },
      { appli: 'four', callbackurl: url },
      { appli: '', callbackurl: url },
      { appli: ' 4', callbackurl: url },
      { appli: '4 ', callbackurl: url },
      { appli: 16 },
      { appli: 16, callbackurl: 16 },
      { callbackurl: url },
      { appli: 51, callbackurl: url },
    ]).list('t')
    expect(answer).toEqual([
      { appli: 1, callbackurl: url },
      { appli: 44, callbackurl: url },
      { appli: 51, callbackurl: url },
    ])
  })

  test("a recorded list of another tool's subscriptions (comment: null) is read as it is", async () => {
    const client = answering(200, JSON.stringify(notifyListAnswer))
    expect(await client.list('t')).toEqual(
      notifyListAnswer.body.profiles.map(({ appli, callbackurl }) => ({ appli, callbackurl })),
    )
  })
})
