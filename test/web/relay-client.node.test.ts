import { afterEach, describe, expect, test } from 'vitest'
import { listen } from '../../relay/node/listen'
import { buildAuthorizeUrl } from '../../web/react/auth/authorize-url'
import { randomState } from '../../web/react/auth/random-state'
import {
  asRelayError,
  createRelayClient,
  type RelayClient,
  RelayRequestError,
} from '../../web/react/auth/relay-client'
import { type ApiClient, createApiClient } from '../support/api-client'
import { consentViaHttp } from '../support/consent'
import { deadUrl } from '../support/dead-url'
import { CLIENT_ID, fakeClock, type Stack, type StackOptions, startStack } from '../support/stack'

// The SPA's relay client against the real relay and the real emulator over HTTP. It runs in
// Node with the fetch of a page at the app's origin (relative URLs, the Origin on POSTs, a
// cookie jar), so every answer it parses is one the relay really gives; addresses that answer
// what no relay does (a proxy's error page, another server) are served on loopback too.

const closing: { close(): Promise<void> }[] = []
afterEach(() => Promise.all(closing.splice(0).map((each) => each.close())))

/** A page of the app: its relay client on the same origin, as the SPA makes it. */
async function page(options: StackOptions = {}) {
  const stack = await startStack(options)
  closing.push(stack)
  return { stack, ...tab(stack) }
}

/** Another tab of the same browser, or (with its own jar) another browser. */
function tab(on: Stack, browser: ApiClient = createApiClient(on.appUrl)) {
  return { browser, relay: createRelayClient(undefined, browser.fetch) }
}

/** Consent at the emulator, as the person does: the code and state it redirects back with. */
async function consent(relay: RelayClient, state: string) {
  const config = await relay.config()
  const callback = await consentViaHttp(
    buildAuthorizeUrl({
      authorizeUrl: config.authorize_url,
      clientId: config.client_id,
      redirectUri: config.redirect_uri,
      scopes: ['user.metrics', 'user.activity'],
      state,
      demo: true,
    }),
  )
  expect(callback.searchParams.get('state')).toBe(state)
  return callback.searchParams.get('code') ?? ''
}

/** Connect as the page does: bind a fresh state, consent, exchange the code. */
async function connect({ stack, relay }: { stack: Stack; relay: RelayClient }) {
  const state = randomState()
  await relay.login(state)
  const session = await relay.exchange(await consent(relay, state), state)
  await stack.settled()
  return session
}

/** A server at the relay's address that answers every request with `answer()`. */
async function impostor(answer: () => Response) {
  const server = await listen(() => answer())
  closing.push(server)
  return createRelayClient(server.url)
}

/** The RelayRequestError a call rejects with (the test fails if it resolves or throws another). */
async function refusal(call: Promise<unknown>): Promise<RelayRequestError> {
  const error = await call.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(RelayRequestError)
  return error as RelayRequestError
}

/** An answer of `status` with this JSON body. */
function json(body: unknown, status = 200) {
  return () => Response.json(body, { status })
}

describe('the relay client against the real relay', () => {
  test.each([true, false])('config: the public values, emulator %s', async (emulator) => {
    const { stack, relay } = await page({ relay: { emulator } })
    expect(await relay.config()).toStrictEqual({
      client_id: CLIENT_ID,
      redirect_uri: stack.config.redirectUri,
      authorize_url: stack.config.authorizeUrl,
      emulator,
    })
  })

  test('login binds the state, exchange spends a real code for the session view', async () => {
    const app = await page()
    const before = Math.floor(Date.now() / 1000)
    const session = await connect(app)
    expect(session).toStrictEqual({
      userid: '363',
      scope: 'user.metrics,user.activity',
      expires_at: expect.any(Number),
      refresh_at: expect.any(Number),
      session_ends_at: expect.any(Number),
    })
    expect(session.expires_at).toBeGreaterThanOrEqual(before + 10_800)
    expect(session.refresh_at).toBeLessThan(session.expires_at)
  })

  test('session: null without one, then the same view in every tab of the browser', async () => {
    const app = await page()
    expect(await app.relay.session()).toBeNull()
    const session = await connect(app)
    expect(await app.relay.session()).toStrictEqual(session)
    expect(await tab(app.stack, app.browser).relay.session()).toStrictEqual(session)
    expect(await tab(app.stack).relay.session()).toBeNull()
  })

  test('logout: Withings informed and the session gone; null when there was none', async () => {
    const app = await page()
    const { relay } = app
    await connect(app)
    expect(await relay.logout()).toStrictEqual({ withings_informed: true })
    expect(await relay.session()).toBeNull()
    expect(await relay.logout()).toBeNull()
  })

  test('logout with Withings unreachable gives a ticket, and revoke tells Withings with it', async () => {
    const app = await page()
    const { stack, relay } = app
    await connect(app)
    const cutOff = createRelayClient(
      await stack.addRelay({ apiUrl: await deadUrl() }),
      app.browser.fetch,
    )
    const result = await cutOff.logout()
    expect(result).toStrictEqual({ withings_informed: false, revoke_ticket: expect.any(String) })
    expect(await relay.revoke(result?.revoke_ticket ?? '')).toStrictEqual({
      withings_informed: true,
    })
    expect(stack.emulator.requests.count({ route: 'revoke' })).toBe(1)
  })

  test("logout while Withings asks to wait: the ticket comes with Withings' wait", async () => {
    const app = await page()
    await connect(app)
    app.stack.emulator.faults.inject(
      { type: 'status', status: 601, body: { wait_seconds: 42 } },
      { on: 'token', times: 1 },
    )
    expect(await app.relay.logout()).toStrictEqual({
      withings_informed: false,
      revoke_ticket: expect.any(String),
      retry_after: 42,
    })
  })

  test("withings: the envelope of the person's data, as Withings sent it", async () => {
    const app = await page()
    await connect(app)
    const envelope = await app.relay.withings('measure', { action: 'getmeas', meastype: 1 })
    expect(envelope).toMatchObject({ status: 0, body: { measuregrps: expect.any(Array) } })
  })

  test('notifications say why the subscriptions failed; resubscribe subscribes them now', async () => {
    const clock = fakeClock()
    const app = await page({ now: clock.now })
    const { stack, relay } = app
    stack.emulator.faults.inject({ type: 'http', status: 503 }, { on: 'data' })
    await connect(app)
    const categories = (state: object) => ({
      categories: [
        { appli: 1, scope: 'user.metrics', ...state },
        { appli: 4, scope: 'user.metrics', ...state },
        { appli: 16, scope: 'user.activity', ...state },
        { appli: 44, scope: 'user.activity', ...state },
      ],
    })
    const failed = categories({ state: 'failed', reason: 'withings_unavailable' })
    expect(await relay.notifications()).toStrictEqual(failed)
    stack.emulator.faults.clear()
    // Past the relay's 30-second hold on a person's subscriptions after the exchange's attempt.
    clock.advance(31_000)
    expect(await relay.resubscribe()).toStrictEqual(categories({ state: 'subscribed' }))
    expect(await relay.notifications()).toStrictEqual(categories({ state: 'subscribed' }))
  })
})

describe("the relay's refusals, as RelayRequestError", () => {
  test.each<{
    name: string
    call: (app: Awaited<ReturnType<typeof page>>) => Promise<unknown>
    code: string
    message: string | RegExp
    retryAfter?: number
  }>([
    {
      name: 'a code for a state this browser never bound',
      call: async ({ relay }) => {
        await relay.login(randomState())
        const never = randomState()
        return relay.exchange(await consent(relay, never), never)
      },
      code: 'invalid_state',
      message:
        'This sign-in was not started in this browser, was already used, or is older than 10 minutes.',
    },
    {
      name: 'a code arriving in a browser that kept no login cookie',
      call: async ({ stack, relay }) => {
        const state = randomState()
        await relay.login(state)
        const code = await consent(relay, state)
        return tab(stack).relay.exchange(code, state)
      },
      code: 'login_cookie_missing',
      message: /^The browser sent no login cookie/,
    },
    {
      name: 'Withings asking to wait at the exchange (601)',
      call: async ({ stack, relay }) => {
        const state = randomState()
        await relay.login(state)
        const code = await consent(relay, state)
        stack.emulator.faults.inject(
          { type: 'status', status: 601, body: { wait_seconds: 42 } },
          { on: 'token', times: 1 },
        )
        return relay.exchange(code, state)
      },
      code: 'rate_limited',
      message: /status 601/,
      retryAfter: 42,
    },
    {
      name: 'a data call without a session',
      call: ({ relay }) => relay.withings('v2/heart', { action: 'list' }),
      code: 'session_expired',
      message: 'There is no session: connect again.',
    },
    {
      name: 'a data call the allow-list does not know',
      call: async (app) => {
        await connect(app)
        return app.relay.withings('v2/heart', { action: 'delete' })
      },
      code: 'bad_request',
      message: "'action' must be one of list, get for v2/heart.",
    },
    {
      name: 'a forged revoke ticket',
      call: ({ relay }) => relay.revoke('forged'),
      code: 'bad_request',
      message: "'ticket' must be the revoke ticket Disconnect gave, within the hour.",
    },
  ])('$name: $code', async ({ call, code, message, retryAfter }) => {
    const error = await refusal(call(await page()))
    expect(error.code).toBe(code)
    expect(error.message).toMatch(message)
    expect(error.retryAfter).toBe(retryAfter)
  })

  test('a relay nobody answers at is network_error, with the cause', async () => {
    const relay = createRelayClient(await deadUrl())
    const error = await refusal(relay.config())
    expect(error.code).toBe('network_error')
    expect(String(error)).toBe('RelayRequestError: The relay could not be reached.')
    expect(error.cause).toBeInstanceOf(TypeError)
  })

  test('another server at the address (the emulator) is unexpected_response', async () => {
    const { stack } = await page()
    const error = await refusal(createRelayClient(stack.emulatorUrl).config())
    expect(error.code).toBe('unexpected_response')
    expect(error.message).toBe('The relay answered HTTP 404.')
  })

  test.each<[string, () => Response, string, string, number?]>([
    [
      "a proxy's error page",
      () => new Response('<h1>502 Bad Gateway</h1>', { status: 502 }),
      'unexpected_response',
      'The relay answered HTTP 502.',
    ],
    [
      'an envelope without a message',
      json({ error: { code: 'shutting_down', retryable: true } }, 503),
      'shutting_down',
      'The relay answered HTTP 503.',
    ],
    [
      'an envelope with a code this client does not know',
      json({ error: { code: 'teapot', message: 'I am a teapot.' } }, 418),
      'unexpected_response',
      'I am a teapot.',
    ],
    [
      'an error that is not an object',
      json({ error: 'rate_limited' }, 429),
      'unexpected_response',
      'The relay answered HTTP 429.',
    ],
    [
      'a wait of some seconds',
      json({ error: { code: 'rate_limited', message: 'Slow down.', retry_after: 7 } }, 429),
      'rate_limited',
      'Slow down.',
      7,
    ],
    [
      'a wait of no seconds',
      json({ error: { code: 'rate_limited', message: 'Slow down.', retry_after: 0 } }, 429),
      'rate_limited',
      'Slow down.',
    ],
    [
      'a wait that is not a number',
      json({ error: { code: 'rate_limited', message: 'Slow down.', retry_after: '7' } }, 429),
      'rate_limited',
      'Slow down.',
    ],
    [
      'a success that is not JSON',
      () => new Response('<!doctype html><title>My app</title>'),
      'unexpected_response',
      'The relay sent no JSON.',
    ],
  ])('%s: %s', async (_, answer, code, message, retryAfter) => {
    const relay = await impostor(answer)
    for (const call of [relay.session(), relay.logout(), relay.withings('measure', {})]) {
      const error = await refusal(call)
      expect(error.code).toBe(code)
      expect(error.message).toBe(message)
      expect(error.retryAfter).toBe(retryAfter)
    }
  })

  test.each<[keyof RelayClient, unknown, string]>([
    ['config', { client_id: 'c', redirect_uri: 'r' }, 'configuration'],
    ['config', { client_id: 'c', authorize_url: 'a' }, 'configuration'],
    ['config', { redirect_uri: 'r', authorize_url: 'a' }, 'configuration'],
    ['config', null, 'configuration'],
    ['session', { userid: 363 }, 'session'],
    ['exchange', {}, 'session'],
    ['logout', { withings_informed: 'yes' }, 'logout answer'],
    ['revoke', [], 'logout answer'],
    ['notifications', { categories: {} }, 'notification status'],
    ['resubscribe', {}, 'notification status'],
  ])('%s answered %j: "The relay sent an invalid %s."', async (method, body, what) => {
    const relay = await impostor(json(body))
    const call = relay[method] as (...args: string[]) => Promise<unknown>
    const error = await refusal(call('code', 'state'))
    expect(error.code).toBe('unexpected_response')
    expect(error.message).toBe(`The relay sent an invalid ${what}.`)
  })

  test('a logout answer keeps only the fields it knows, each of its type', async () => {
    const relay = await impostor(
      json({ withings_informed: false, revoke_ticket: 7, retry_after: '42', token: 'x' }),
    )
    expect(await relay.logout()).toStrictEqual({ withings_informed: false })
  })

  test('asRelayError: a RelayRequestError as it is; anything else unexpected_response', () => {
    const refused = new RelayRequestError('rate_limited', 'Slow down.', { retryAfter: 7 })
    expect(asRelayError(refused)).toBe(refused)
    const cause = new TypeError('boom')
    const wrapped = asRelayError(cause)
    expect(wrapped.code).toBe('unexpected_response')
    expect(String(wrapped)).toBe('RelayRequestError: An unexpected failure.')
    expect(wrapped.cause).toBe(cause)
  })
})
