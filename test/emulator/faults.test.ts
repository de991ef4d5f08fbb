import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { listen } from '../../relay/node/listen'
import { nodeRawConnection } from '../../relay/node/raw-connection'
import { BASE, CLIENT, dataCall, refresh, setup, signedIn } from './support'

const getmeas = (emulator: ReturnType<typeof setup>['emulator'], token: string) =>
  emulator.fetch(
    new Request(`${BASE}/measure`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: new URLSearchParams({ action: 'getmeas', meastype: '1' }),
    }),
  )

const tokenCall = (emulator: ReturnType<typeof setup>['emulator'], refreshToken: string) =>
  emulator.fetch(
    new Request(`${BASE}/v2/oauth2`, {
      method: 'POST',
      body: new URLSearchParams({
        action: 'requesttoken',
        grant_type: 'refresh_token',
        client_id: CLIENT.clientId,
        client_secret: CLIENT.clientSecret,
        refresh_token: refreshToken,
      }),
    }),
  )

/**
 * The answer, once `ms` of the emulator's timers have passed, and not a millisecond sooner: on
 * fake timers, so a busy machine changes nothing.
 */
async function answeredAfter(answer: Response | Promise<Response>, ms: number): Promise<Response> {
  let answered = false
  void Promise.resolve(answer).then(() => {
    answered = true
  })
  await vi.advanceTimersByTimeAsync(ms - 1)
  expect(answered, `answered before ${ms} ms`).toBe(false)
  await vi.advanceTimersByTimeAsync(1)
  expect(answered, `no answer after ${ms} ms`).toBe(true)
  return answer
}

describe('faults, in-process', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('delay: waits, then answers normally', async () => {
    const { emulator } = setup()
    const { access } = await signedIn(emulator, { mode: 'demo' })
    emulator.faults.inject({ type: 'delay', ms: 40 }, { times: 1 })
    const answered = await answeredAfter(getmeas(emulator, access), 40)
    expect(((await answered.json()) as { status: number }).status).toBe(0)
  })

  it.each([500, 502, 503] as const)(
    'http %i: an HTML error page with that status',
    async (status) => {
      const { emulator } = setup()
      const { access } = await signedIn(emulator, { mode: 'demo' })
      emulator.faults.inject({ type: 'http', status }, { on: 'data', times: 1 })
      const response = await getmeas(emulator, access)
      expect(response.status).toBe(status)
      expect(response.headers.get('content-type')).toMatch(/^text\/html/)
      expect(await response.text()).toContain(`<h1>${status} `)
      expect((await getmeas(emulator, access)).status).toBe(200)
    },
  )

  it('status: an HTTP 200 envelope with that Withings status', async () => {
    const { emulator } = setup()
    const { access } = await signedIn(emulator, { mode: 'demo' })
    emulator.faults.inject({ type: 'status', status: 522 }, { times: 1 })
    emulator.faults.inject({ type: 'status', status: 524, error: 'Bad state' }, { times: 1 })
    const first = await getmeas(emulator, access)
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ status: 522, body: {}, error: 'Timeout' })
    expect(await (await getmeas(emulator, access)).json()).toEqual({
      status: 524,
      body: {},
      error: 'Bad state',
    })
  })

  it('status 601: carries wait_seconds', async () => {
    const { emulator } = setup()
    const { refresh: refreshToken } = await signedIn(emulator, { mode: 'demo' })
    emulator.faults.inject({ type: 'status', status: 601 }, { on: 'token', times: 1 })
    expect(await refresh(emulator, refreshToken)).toEqual({
      status: 601,
      body: { wait_seconds: 10 },
      error: 'Too many requests',
    })
    emulator.faults.inject(
      {
        type: 'status',
        status: 601,
        error: 'Same arguments in less than 10 seconds',
        body: { wait_seconds: 188 },
      },
      { on: 'token', times: 1 },
    )
    expect((await refresh(emulator, refreshToken)).body).toEqual({ wait_seconds: 188 })
  })

  it('broken-json: HTTP 200, application/json, a body that does not parse', async () => {
    const { emulator } = setup()
    const { access } = await signedIn(emulator, { mode: 'demo' })
    emulator.faults.inject({ type: 'broken-json' }, { times: 1 })
    const response = await getmeas(emulator, access)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    const text = await response.text()
    expect(() => JSON.parse(text)).toThrow()
  })

  it('truncated: the body starts as an envelope, then reading it fails', async () => {
    const { emulator } = setup()
    const { access } = await signedIn(emulator, { mode: 'demo' })
    emulator.faults.inject({ type: 'truncated' }, { times: 1 })
    const response = await getmeas(emulator, access)
    expect(response.status).toBe(200)
    await expect(response.text()).rejects.toThrow()
  })

  it('reset: fetch rejects when there is no socket to destroy', async () => {
    const { emulator } = setup()
    const { access } = await signedIn(emulator, { mode: 'demo' })
    emulator.faults.inject({ type: 'reset' }, { times: 1 })
    await expect(Promise.resolve().then(() => getmeas(emulator, access))).rejects.toThrow(
      /connection reset/,
    )
    expect((await getmeas(emulator, access)).status).toBe(200)
  })

  it('targets token, data or all routes, for `times` requests or until cleared', async () => {
    const { emulator, clock } = setup()
    const tokens = await signedIn(emulator, { mode: 'demo' })
    emulator.faults.inject({ type: 'http', status: 502 }, { on: 'token' })
    expect((await getmeas(emulator, tokens.access)).status).toBe(200)
    expect((await tokenCall(emulator, tokens.refresh)).status).toBe(502)
    clock.advance(11_000)
    expect((await tokenCall(emulator, tokens.refresh)).status).toBe(502)
    emulator.faults.clear()
    clock.advance(11_000)
    expect((await tokenCall(emulator, tokens.refresh)).status).toBe(200)

    emulator.faults.inject({ type: 'http', status: 500 }, { times: 2 })
    expect((await getmeas(emulator, tokens.access)).status).toBe(500)
    expect((await tokenCall(emulator, 'other')).status).toBe(500)
    expect((await getmeas(emulator, tokens.access)).status).toBe(200)
    expect(emulator.faults.active).toEqual([])
  })

  it('stacks delays in front of the first other fault', async () => {
    const { emulator } = setup()
    const { access } = await signedIn(emulator, { mode: 'demo' })
    emulator.faults.inject({ type: 'delay', ms: 30 }, { times: 1 })
    emulator.faults.inject({ type: 'http', status: 503 }, { times: 1 })
    expect((await answeredAfter(getmeas(emulator, access), 30)).status).toBe(503)
  })

  it('refuses malformed faults', () => {
    const { emulator } = setup()
    expect(() => emulator.faults.inject({ type: 'http', status: 404 } as never)).toThrow(TypeError)
    expect(() => emulator.faults.inject({ type: 'delay', ms: 5 }, { times: 0 })).toThrow(TypeError)
    expect(() => emulator.faults.inject({ type: 'explode' } as never)).toThrow(TypeError)
  })
})

describe('faults over real HTTP', () => {
  let close: (() => Promise<void>) | undefined
  afterEach(async () => {
    await close?.()
    close = undefined
  })

  async function served() {
    // Node's hold on the connection, as `npm start` gives its emulator.
    const context = setup({ connection: nodeRawConnection })
    const server = await listen(context.emulator.fetch, { hostname: '127.0.0.1', port: 0 })
    close = server.close
    const tokens = await signedIn(context.emulator, { mode: 'demo' })
    const call = () =>
      fetch(`${server.url}/measure`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.access}` },
        body: new URLSearchParams({ action: 'getmeas', meastype: '1' }),
      })
    return { ...context, call }
  }

  it('reset: the connection is destroyed with no response', async () => {
    const { emulator, call } = await served()
    emulator.faults.inject({ type: 'reset' }, { times: 1 })
    const error = await call().then(
      () => undefined,
      (reason: unknown) => reason,
    )
    expect(error).toBeInstanceOf(TypeError)
    expect((error as Error & { cause?: { code?: string } }).cause?.code).toMatch(
      /UND_ERR_SOCKET|ECONNRESET/,
    )
    expect((await call()).status).toBe(200)
  })

  it('truncated: headers and part of a JSON envelope arrive, then the connection ends', async () => {
    const { emulator, call } = await served()
    emulator.faults.inject({ type: 'truncated' }, { on: 'data', times: 1 })
    const response = await call()
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    const reader = response.body?.getReader()
    const decoder = new TextDecoder()
    let received = ''
    const failure = await (async () => {
      for (;;) {
        const chunk = await reader?.read()
        if (!chunk || chunk.done) return undefined
        received += decoder.decode(chunk.value, { stream: true })
      }
    })().then(
      () => undefined,
      (reason: unknown) => reason,
    )
    expect(received.startsWith('{"status":0,"body":{')).toBe(true)
    expect(failure).toBeInstanceOf(Error)
    expect((await call()).status).toBe(200)
  })

  it('http 502 and broken-json over the wire', async () => {
    const { emulator, call } = await served()
    emulator.faults.inject({ type: 'http', status: 502 }, { times: 1 })
    emulator.faults.inject({ type: 'broken-json' }, { times: 1 })
    expect((await call()).status).toBe(502)
    await expect((await call()).json()).rejects.toThrow(SyntaxError)
  })
})

describe('request log', () => {
  it('counts what reached the token and data routes, before faults apply', async () => {
    const { emulator, clock } = setup()
    const tokens = await signedIn(emulator, { mode: 'demo' })
    expect(emulator.requests.count({ route: 'token' })).toBe(1)
    expect(emulator.requests.count({ grantType: 'authorization_code' })).toBe(1)

    emulator.faults.inject({ type: 'http', status: 503 }, { times: 2 })
    await refresh(emulator, tokens.refresh).catch(() => undefined)
    await dataCall(
      emulator,
      'v2/sleep',
      { action: 'getsummary', lastupdate: '0' },
      tokens.access,
    ).catch(() => undefined)
    clock.advance(11_000)
    await refresh(emulator, tokens.refresh)
    await dataCall(emulator, 'measure', { action: 'getmeas' }, tokens.access)
    await dataCall(emulator, 'measure', { action: 'getmeas' }, tokens.access)

    expect(emulator.requests.count({ grantType: 'refresh_token' })).toBe(2)
    expect(emulator.requests.count({ route: 'data' })).toBe(3)
    expect(emulator.requests.count({ service: 'measure', action: 'getmeas' })).toBe(2)
    expect(emulator.requests.count()).toBe(6)
    expect(emulator.requests.counts()).toEqual({
      total: 6,
      token: 3,
      data: 3,
      signature: 0,
      revoke: 0,
      notify: 0,
      grantTypes: { authorization_code: 1, refresh_token: 2 },
      actions: { 'v2/sleep/getsummary': 1, 'measure/getmeas': 2 },
    })
    expect(emulator.requests.entries[0]).toMatchObject({ route: 'token', at: clock.now() - 11_000 })

    emulator.requests.clear()
    expect(emulator.requests.count()).toBe(0)
  })

  it('does not count the authorize pages', async () => {
    const { emulator } = setup()
    await emulator.fetch(new Request(`${BASE}/oauth2_user/authorize2?client_id=x`))
    expect(emulator.requests.count()).toBe(0)
  })
})
