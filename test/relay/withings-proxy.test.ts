import { afterEach, describe, expect, test } from 'vitest'
import { createApiClient } from '../support/api-client'
import { connect } from '../support/login'
import { fakeClock, type Stack, type StackOptions, startStack } from '../support/stack'

let stack: Stack
afterEach(() => stack?.close())

const dataCalls = () => stack.emulator.requests.count({ route: 'data' })

/** A stack with the demo user connected; `data` posts to the proxy as the SPA does. */
async function connected(options: StackOptions = {}, scopes = ['user.metrics', 'user.activity']) {
  stack = await startStack(options)
  const api = createApiClient(stack.appUrl)
  const view = await (await connect(stack, api, { scopes })).json()
  const token: string = view.access_token
  const data = (service: string, body: unknown, authorization = `Bearer ${token}`) =>
    api.post(`/api/withings/${service}`, body, { headers: { authorization } })
  return { api, token, data }
}

/** The same call straight to the emulator, as Withings would answer it. */
async function direct(service: string, params: Record<string, string>, token: string) {
  const response = await fetch(`${stack.emulatorUrl}/${service}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: new URLSearchParams(params),
  })
  return response.text()
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status)
  expect((await response.json()).error.code).toBe(code)
}

describe('the data proxy: the real relay against the real emulator over HTTP', () => {
  test("passes Withings' envelope through exactly as sent, with HTTP 200", async () => {
    const { data, token } = await connected({ now: fakeClock().now })
    const response = await data('measure', { action: 'getmeas', meastype: 1, category: 1 })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const text = await response.text()
    expect(text).toBe(
      await direct('measure', { action: 'getmeas', meastype: '1', category: '1' }, token),
    )

    const envelope = JSON.parse(text)
    const latest = stack.emulator.data.latestMeasure(363, 1)
    expect(envelope.status).toBe(0)
    // Newest first; the very newest is a guest's weighing on the user's scale (attrib 1).
    const own = envelope.body.measuregrps.find((group: { attrib: number }) => group.attrib !== 1)
    expect(own).toMatchObject({
      grpid: latest?.grpid,
      measures: [{ type: 1, value: latest?.value, unit: latest?.unit }],
    })
  })

  test('forwards each allow-listed action of every service', async () => {
    const { data } = await connected({}, ['user.info', 'user.metrics', 'user.activity'])
    const heart = await (await data('v2/heart', { action: 'list' })).json()
    const signalid = heart.body.series[0].ecg.signalid
    const today = new Date().toISOString().slice(0, 10)
    const calls: [string, Record<string, unknown>][] = [
      ['measure', { action: 'getmeas', meastypes: [9, 10], lastupdate: 0 }],
      ['v2/measure', { action: 'getactivity', startdateymd: '2025-01-01', enddateymd: today }],
      ['v2/measure', { action: 'getintradayactivity', data_fields: 'steps,heart_rate' }],
      ['v2/measure', { action: 'getworkouts', lastupdate: '0', data_fields: ['calories'] }],
      ['v2/sleep', { action: 'getsummary', startdateymd: '2025-01-01', enddateymd: today }],
      ['v2/sleep', { action: 'get', startdate: 1_700_000_000, enddate: 1_700_086_400 }],
      ['v2/heart', { action: 'get', signalid, with_filtered: false }],
      ['v2/user', { action: 'getdevice' }],
      ['v2/user', { action: 'getgoals' }],
    ]
    for (const [service, body] of calls) {
      const response = await data(service, body)
      expect(response.status, `${service} ${body.action}`).toBe(200)
      expect((await response.json()).status, `${service} ${body.action}`).toBe(0)
    }
    expect(dataCalls()).toBe(calls.length + 1)
  })

  test('values are forwarded in the form Withings reads: lists comma-joined', async () => {
    const { data } = await connected()
    const envelope = await (await data('measure', { action: 'getmeas', meastypes: [9, 10] })).json()
    const types = new Set(
      envelope.body.measuregrps.flatMap((group: { measures: { type: number }[] }) =>
        group.measures.map((measure) => measure.type),
      ),
    )
    expect([...types].sort()).toEqual([10, 9])
  })

  test.each([
    ['v2/oauth2', { action: 'requesttoken' }],
    ['notify', { action: 'subscribe' }],
    ['v2/user/../oauth2', { action: 'getdevice' }],
    ['v2/user', { action: 'link' }],
    ['v2/user', { action: 'get' }],
    ['v2/measure', { action: 'confirmuser' }],
    ['measure', { action: 'GETMEAS' }],
    ['measure', { action: 'toString' }],
    ['measure', {}],
    ['measure', { action: ['getmeas'] }],
  ])('refuses %s %j with bad_request and no upstream call', async (service, body) => {
    const { data } = await connected()
    await expectError(await data(service, body), 400, 'bad_request')
    expect(dataCalls()).toBe(0)
  })

  test.each([
    ['an unknown parameter', 'measure', { action: 'getmeas', userid: 363 }],
    ['a parameter of another action', 'v2/user', { action: 'getgoals', offset: 0 }],
    ['the signed form of Heart Get', 'v2/heart', { action: 'get', signalid: 1, client_id: 'x' }],
    ['a prototype key', 'measure', JSON.parse('{"action":"getmeas","__proto__":1}')],
    ['a constructor key', 'measure', { action: 'getmeas', constructor: 1 }],
    ['a non-integer', 'measure', { action: 'getmeas', meastype: 1.5 }],
    ['digits with text', 'measure', { action: 'getmeas', startdate: '1700000000; drop' }],
    ['an out-of-range timestamp', 'measure', { action: 'getmeas', startdate: -1 }],
    ['a negative offset', 'measure', { action: 'getmeas', offset: -10 }],
    ['a category outside 1, 2', 'measure', { action: 'getmeas', category: 3 }],
    ['a meastypes list too long', 'measure', { action: 'getmeas', meastypes: Array(65).fill(1) }],
    ['an object value', 'measure', { action: 'getmeas', meastype: { value: 1 } }],
    ['a null value', 'measure', { action: 'getmeas', meastype: null }],
    [
      'a day that does not exist',
      'v2/measure',
      { action: 'getactivity', startdateymd: '2025-02-30', enddateymd: '2025-03-01' },
    ],
    [
      'a day in another format',
      'v2/sleep',
      { action: 'getsummary', startdateymd: '01/02/2025', enddateymd: '2025-03-01' },
    ],
    [
      'an unknown data field',
      'v2/measure',
      { action: 'getactivity', lastupdate: 0, data_fields: 'steps,password' },
    ],
    [
      'an empty data field list',
      'v2/measure',
      { action: 'getactivity', lastupdate: 0, data_fields: '' },
    ],
    ['a non-boolean flag', 'v2/heart', { action: 'get', signalid: 1, with_filtered: 'yes' }],
    [
      'both day window forms',
      'v2/measure',
      {
        action: 'getworkouts',
        lastupdate: 0,
        startdateymd: '2025-01-01',
        enddateymd: '2025-01-02',
      },
    ],
    ['no day window at all', 'v2/sleep', { action: 'getsummary' }],
    ['half a day window', 'v2/measure', { action: 'getactivity', startdateymd: '2025-01-01' }],
    ['Sleep Get without its end', 'v2/sleep', { action: 'get', startdate: 1_700_000_000 }],
    ['Heart Get without a signal', 'v2/heart', { action: 'get' }],
  ])('refuses %s with bad_request and no upstream call', async (_, service, body) => {
    const { data } = await connected()
    const response = await data(service, body)
    expect(response.status).toBe(400)
    const { error } = await response.json()
    expect(error.code).toBe('bad_request')
    expect(error.message.length).toBeGreaterThan(10)
    expect(dataCalls()).toBe(0)
  })

  test.each([
    ['no Authorization header', undefined],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['an empty bearer', 'Bearer '],
    ['a bearer with spaces', 'Bearer abc def'],
    ['a bearer with a quote', 'Bearer abc"def'],
  ])('%s is 401 token_expired, with no upstream call', async (_, authorization) => {
    const { api } = await connected()
    const headers: Record<string, string> = authorization ? { authorization } : {}
    const response = await api.post('/api/withings/measure', { action: 'getmeas' }, { headers })
    await expectError(response, 401, 'token_expired')
    expect(dataCalls()).toBe(0)
  })

  test("Withings' status 401 (expired or unknown token) becomes token_expired", async () => {
    const clock = fakeClock()
    const { data } = await connected({ now: clock.now, emulator: { accessTokenTtlSeconds: 60 } })
    expect((await (await data('v2/user', { action: 'getgoals' })).json()).status).toBe(214)
    clock.advance(61_000)
    const expired = await data('measure', { action: 'getmeas' })
    await expectError(expired, 401, 'token_expired')
    await expectError(
      await data('measure', { action: 'getmeas' }, `Bearer ${'f'.repeat(40)}`),
      401,
      'token_expired',
    )
    expect(dataCalls()).toBe(3)
  })

  test('a scope the person did not grant: status 214 is passed through as sent', async () => {
    const { data } = await connected({}, ['user.metrics'])
    const response = await data('v2/measure', { action: 'getactivity', lastupdate: 0 })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      status: 214,
      body: {},
      error:
        'Unauthorized: insufficient_scope: The request requires higher privileges than provided by the access token',
    })
  })

  test.each([
    ['measure', { action: 'getmeas', meastype: 1 }, 'measuregrps'],
    ['v2/measure', { action: 'getactivity', lastupdate: 0 }, 'activities'],
    ['v2/sleep', { action: 'getsummary', lastupdate: 0 }, 'series'],
  ])('pages through %s by following more and offset', async (service, first, list) => {
    const { data } = await connected({ emulator: { pageSize: 40 } })
    const items: unknown[] = []
    let body: Record<string, unknown> = first
    for (let page = 0; page < 20; page++) {
      const envelope = await (await data(service, body)).json()
      expect(envelope.status).toBe(0)
      items.push(...envelope.body[list])
      if (!envelope.body.more) break
      body = { ...first, offset: envelope.body.offset }
    }
    const seeded = stack.emulator.data.of(363)
    const expected = {
      measuregrps: seeded.measuregrps.filter((group) => group.measures.some((m) => m.type === 1)),
      activities: seeded.activities,
      series: seeded.sleepSummaries,
    }[list]
    expect(items).toHaveLength(expected?.length ?? -1)
    expect(dataCalls()).toBe(Math.ceil(items.length / 40))
    expect(dataCalls()).toBeGreaterThan(2)
  })

  test('transport faults become the upstream_* codes, each after one attempt', async () => {
    const { data } = await connected({ relay: { upstreamTimeoutMs: 300 } })
    const call = () => data('v2/user', { action: 'getgoals' })
    stack.emulator.faults.inject({ type: 'http', status: 503 }, { on: 'data', times: 1 })
    await expectError(await call(), 502, 'upstream_unavailable')
    stack.emulator.faults.inject({ type: 'broken-json' }, { on: 'data', times: 1 })
    await expectError(await call(), 502, 'upstream_unavailable')
    stack.emulator.faults.inject({ type: 'reset' }, { on: 'data', times: 1 })
    await expectError(await call(), 502, 'upstream_unavailable')
    stack.emulator.faults.inject({ type: 'delay', ms: 1_000 }, { on: 'data', times: 1 })
    await expectError(await call(), 504, 'upstream_timeout')
    expect(dataCalls()).toBe(4)
  })

  test('needs the custom header like every POST: no upstream call without it', async () => {
    const { data, token } = await connected()
    const response = await data('v2/user', { action: 'getgoals' })
    expect(response.status).toBe(200)
    const stripped = await fetch(`${stack.appUrl}/api/withings/v2/user`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        origin: stack.appUrl,
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ action: 'getgoals' }),
    })
    await expectError(stripped, 403, 'forbidden_origin')
    expect(dataCalls()).toBe(1)
  })

  test('no log line carries the access token', async () => {
    const { data, token } = await connected()
    await data('measure', { action: 'getmeas' })
    await data('measure', { action: 'nope' })
    expect(stack.logs.some((line) => line.route === '/api/withings/:service{.+}')).toBe(true)
    expect(JSON.stringify(stack.logs)).not.toContain(token)
  })
})
