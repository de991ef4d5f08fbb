import { afterEach, describe, expect, test } from 'vitest'
import { CUSTOM_HEADER } from '../../relay/contract/wire-contract'
import { insufficientScopeAnswer } from '../fixtures/withings/errors'
import {
  bodyScanMetabolismGroup,
  lastPageWithoutMore,
  undocumentedAttribGroups,
} from '../fixtures/withings/getmeas'
import { heartListAnswer } from '../fixtures/withings/heart'
import { devicesWithUnknowns } from '../fixtures/withings/user'
import { phoneWorkoutsAnswer } from '../fixtures/withings/workouts'
import { createApiClient } from '../support/api-client'
import { openSession, SESSION_COOKIE, sealedField } from '../support/cookies'
import { connect } from '../support/login'
import { pagePost } from '../support/page-post'
import { fakeClock, RELAY_KEY, type Stack, type StackOptions, startStack } from '../support/stack'

let stack: Stack
afterEach(() => stack?.close())

const dataCalls = () => stack.emulator.requests.count({ route: 'data' })
const refreshes = () => stack.emulator.requests.count({ grantType: 'refresh_token' })

/** A stack with the demo user connected; `data` posts to the proxy as the SPA does. */
async function connected(options: StackOptions = {}, scopes = ['user.metrics', 'user.activity']) {
  stack = await startStack(options)
  const api = createApiClient(stack.appUrl)
  expect((await connect(stack, api, { scopes })).status).toBe(200)
  const data = (service: string, body: unknown, headers: Record<string, string> = {}) =>
    api.post(`/api/withings/${service}`, body, { headers })
  const accessToken = async () =>
    sealedField(await openSession(api.jar.get(SESSION_COOKIE), RELAY_KEY), 'accessToken') ?? ''
  return { api, data, accessToken }
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

const SCOPE_MISSING = 'This connection does not hold the scope this call needs'
const PARAMS_REFUSED = "Withings refused the call's parameters"

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status)
  const body = await response.json()
  expect(body.error.code).toBe(code)
  return body.error
}

describe('the data proxy: the real relay against the real emulator over HTTP', () => {
  test("passes Withings' envelope through exactly as sent, with HTTP 200", async () => {
    const { data, accessToken } = await connected({ now: fakeClock().now })
    const response = await data('measure', { action: 'getmeas', meastype: 1, category: 1 })
    const token = await accessToken()
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
    // Newest first; the very newest is a guest's weighing on the user's scale (attrib 1), and
    // beside the newest weighings come groups of a Body Scan 2's undocumented 10009 and 10010.
    const own = envelope.body.measuregrps.find((group: { attrib: number }) =>
      [0, 2].includes(group.attrib),
    )
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

  test('data_fields reach Withings as one comma-joined list, from an array or a spaced text', async () => {
    const { data } = await connected()
    for (const data_fields of [['steps', 'hr_average'], 'steps, hr_average']) {
      const response = await data('v2/measure', {
        action: 'getactivity',
        lastupdate: 0,
        data_fields,
      })
      expect(response.status).toBe(200)
      const { activities } = (await response.json()).body
      expect(activities.length).toBeGreaterThan(0)
      const sent = new Set(activities.flatMap((activity: object) => Object.keys(activity)))
      // What was asked for, and not the rest of the default set.
      expect(
        ['steps', 'hr_average', 'calories', 'distance'].filter((key) => sent.has(key)),
      ).toEqual(['steps', 'hr_average'])
    }
  })

  const SERVICES = 'The relay forwards only to measure, v2/measure, v2/sleep, v2/heart, v2/user.'
  const USER_ACTIONS = "'action' must be one of getdevice, getgoals for v2/user."
  const MEASURE_ACTIONS = "'action' must be one of getmeas for measure."
  test.each([
    ['v2/oauth2', { action: 'requesttoken' }, SERVICES],
    ['notify', { action: 'subscribe' }, SERVICES],
    ['v2/user/../oauth2', { action: 'getdevice' }, SERVICES],
    ['v2/user', { action: 'link' }, USER_ACTIONS],
    ['v2/user', { action: 'get' }, USER_ACTIONS],
    [
      'v2/measure',
      { action: 'confirmuser' },
      "'action' must be one of getactivity, getintradayactivity, getworkouts for v2/measure.",
    ],
    ['measure', { action: 'GETMEAS' }, MEASURE_ACTIONS],
    ['measure', { action: 'toString' }, MEASURE_ACTIONS],
    ['measure', {}, MEASURE_ACTIONS],
    ['measure', { action: ['getmeas'] }, MEASURE_ACTIONS],
  ])('refuses %s %j with bad_request and no upstream call', async (service, body, message) => {
    const { data } = await connected()
    const error = await expectError(await data(service, body), 400, 'bad_request')
    expect(error.message).toBe(message)
    expect(dataCalls()).toBe(0)
  })

  const GETMEAS_TAKES = 'meastype, meastypes, category, startdate, enddate, lastupdate, offset'
  const TIMESTAMP = 'must be a whole number from 0 to 4102444800.'
  const MEASTYPE = "'meastype' must be a whole number from 1 to 9999."
  const OFFSET = "'offset' must be a whole number from 0 to 2147483647."
  const CATEGORY = "'category' must be one of 1, 2."
  const MEASTYPES = "'meastypes' must list 1 to 64 whole numbers from 1 to 9999."
  const NO_DAY = 'must be a calendar day written YYYY-MM-DD.'
  const FIELD_NAMES = "'data_fields' must list field names the reference documents for it."
  const DAY_WINDOW = 'needs startdateymd + enddateymd, or lastupdate, and only one of these.'
  const takesNo = (call: string, name: string, takes: string) =>
    `${call} takes no parameter '${name}'; it takes ${takes}.`
  test.each([
    [
      'an unknown parameter',
      'measure',
      { action: 'getmeas', userid: 363 },
      takesNo('measure getmeas', 'userid', GETMEAS_TAKES),
    ],
    [
      'a parameter of another action',
      'v2/user',
      { action: 'getgoals', offset: 0 },
      takesNo('v2/user getgoals', 'offset', 'none besides action'),
    ],
    [
      'a parameter of an action that takes none',
      'v2/user',
      { action: 'getdevice', userid: 363 },
      takesNo('v2/user getdevice', 'userid', 'none besides action'),
    ],
    [
      'the signed form of Heart Get',
      'v2/heart',
      { action: 'get', signalid: 1, client_id: 'x' },
      takesNo('v2/heart get', 'client_id', 'signalid, with_filtered, with_intervals'),
    ],
    [
      'a prototype key',
      'measure',
      JSON.parse('{"action":"getmeas","__proto__":1}'),
      takesNo('measure getmeas', '__proto__', GETMEAS_TAKES),
    ],
    [
      'a constructor key',
      'measure',
      { action: 'getmeas', constructor: 1 },
      takesNo('measure getmeas', 'constructor', GETMEAS_TAKES),
    ],
    ['a non-integer', 'measure', { action: 'getmeas', meastype: 1.5 }, MEASTYPE],
    ['an object value', 'measure', { action: 'getmeas', meastype: { value: 1 } }, MEASTYPE],
    ['a null value', 'measure', { action: 'getmeas', meastype: null }, MEASTYPE],
    ['a meastype past 9999', 'measure', { action: 'getmeas', meastype: 10_000 }, MEASTYPE],
    [
      'digits with text',
      'measure',
      { action: 'getmeas', startdate: '1700000000; drop' },
      `'startdate' ${TIMESTAMP}`,
    ],
    [
      'digits in exponent form',
      'measure',
      { action: 'getmeas', startdate: '17e8' },
      `'startdate' ${TIMESTAMP}`,
    ],
    [
      'digits in hexadecimal',
      'measure',
      { action: 'getmeas', startdate: '0x10' },
      `'startdate' ${TIMESTAMP}`,
    ],
    [
      'digits after a space',
      'measure',
      { action: 'getmeas', startdate: ' 1700000000' },
      `'startdate' ${TIMESTAMP}`,
    ],
    [
      'digits in an array',
      'measure',
      { action: 'getmeas', startdate: [1_700_000_000] },
      `'startdate' ${TIMESTAMP}`,
    ],
    [
      'an out-of-range timestamp',
      'measure',
      { action: 'getmeas', startdate: -1 },
      `'startdate' ${TIMESTAMP}`,
    ],
    [
      'a timestamp past 2100',
      'measure',
      { action: 'getmeas', enddate: 4_102_444_801 },
      `'enddate' ${TIMESTAMP}`,
    ],
    ['a negative offset', 'measure', { action: 'getmeas', offset: -10 }, OFFSET],
    ['a null offset', 'measure', { action: 'getmeas', offset: null }, OFFSET],
    ['a category outside 1, 2', 'measure', { action: 'getmeas', category: 3 }, CATEGORY],
    ['a category that is a word', 'measure', { action: 'getmeas', category: 'one' }, CATEGORY],
    [
      'a meastypes list too long',
      'measure',
      { action: 'getmeas', meastypes: Array(65).fill(1) },
      MEASTYPES,
    ],
    ['an empty meastypes list', 'measure', { action: 'getmeas', meastypes: [] }, MEASTYPES],
    ['meastypes as one number', 'measure', { action: 'getmeas', meastypes: 9 }, MEASTYPES],
    [
      'a meastype below 1 in the list',
      'measure',
      { action: 'getmeas', meastypes: [9, 0] },
      MEASTYPES,
    ],
    [
      'a meastype past 9999 in the list',
      'measure',
      { action: 'getmeas', meastypes: '9,10000' },
      MEASTYPES,
    ],
    ['a word in the meastypes', 'measure', { action: 'getmeas', meastypes: '9,weight' }, MEASTYPES],
    [
      'a day that does not exist',
      'v2/measure',
      { action: 'getactivity', startdateymd: '2025-02-30', enddateymd: '2025-03-01' },
      `'startdateymd' ${NO_DAY}`,
    ],
    [
      'a day in another format',
      'v2/sleep',
      { action: 'getsummary', startdateymd: '01/02/2025', enddateymd: '2025-03-01' },
      `'startdateymd' ${NO_DAY}`,
    ],
    [
      'a day as a number',
      'v2/sleep',
      { action: 'getsummary', startdateymd: '2025-03-01', enddateymd: 20250302 },
      `'enddateymd' ${NO_DAY}`,
    ],
    [
      // Date reads it as January of the year 10000, and writes it back the same way.
      'a month of the year 10000',
      'v2/sleep',
      { action: 'getsummary', startdateymd: '+010000-01', enddateymd: '2025-03-01' },
      `'startdateymd' ${NO_DAY}`,
    ],
    [
      'an unknown data field',
      'v2/measure',
      { action: 'getactivity', lastupdate: 0, data_fields: 'steps,password' },
      FIELD_NAMES,
    ],
    [
      'an empty data field list',
      'v2/measure',
      { action: 'getactivity', lastupdate: 0, data_fields: '' },
      FIELD_NAMES,
    ],
    [
      'a data field list that is a number',
      'v2/measure',
      { action: 'getactivity', lastupdate: 0, data_fields: 5 },
      FIELD_NAMES,
    ],
    [
      'a data field of another action',
      'v2/measure',
      { action: 'getintradayactivity', data_fields: ['steps', 'hr_zone_0'] },
      FIELD_NAMES,
    ],
    [
      'a non-boolean flag',
      'v2/heart',
      { action: 'get', signalid: 1, with_intervals: 'yes' },
      "'with_intervals' must be true or false.",
    ],
    [
      'both day window forms',
      'v2/measure',
      {
        action: 'getworkouts',
        lastupdate: 0,
        startdateymd: '2025-01-01',
        enddateymd: '2025-01-02',
      },
      `v2/measure getworkouts ${DAY_WINDOW}`,
    ],
    [
      'half a day window besides lastupdate',
      'v2/measure',
      { action: 'getworkouts', lastupdate: 0, startdateymd: '2025-01-01' },
      `v2/measure getworkouts ${DAY_WINDOW}`,
    ],
    [
      'no day window at all',
      'v2/sleep',
      { action: 'getsummary' },
      `v2/sleep getsummary ${DAY_WINDOW}`,
    ],
    [
      'half a day window',
      'v2/measure',
      { action: 'getactivity', startdateymd: '2025-01-01' },
      `v2/measure getactivity ${DAY_WINDOW}`,
    ],
    [
      'Sleep Get without its end',
      'v2/sleep',
      { action: 'get', startdate: 1_700_000_000 },
      'v2/sleep get needs startdate + enddate, and only one of these.',
    ],
    [
      'Heart Get without a signal',
      'v2/heart',
      { action: 'get' },
      'v2/heart get needs signalid, and only one of these.',
    ],
  ])(
    'refuses %s with bad_request, in words, and no upstream call',
    async (_, service, body, message) => {
      const { data } = await connected()
      const error = await expectError(await data(service, body), 400, 'bad_request')
      expect(error.message).toBe(message)
      expect(dataCalls()).toBe(0)
    },
  )

  test('takes every value at the edge of its rule', async () => {
    const { data } = await connected({}, ['user.info', 'user.metrics', 'user.activity'])
    const heart = await (await data('v2/heart', { action: 'list' })).json()
    const signalid = heart.body.series[0].ecg.signalid
    const calls: [string, Record<string, unknown>][] = [
      ['measure', { action: 'getmeas', startdate: '1700000000', enddate: 4_102_444_800 }],
      ['measure', { action: 'getmeas', meastype: 9_999, category: 2, offset: 2_147_483_647 }],
      ['measure', { action: 'getmeas', meastypes: [...Array(63).fill(1), 9_999] }],
      ['v2/measure', { action: 'getactivity', lastupdate: 0, data_fields: 'steps, hr_zone_3' }],
      ['v2/measure', { action: 'getworkouts', lastupdate: 0, data_fields: 'pool_length,hr_max' }],
      ['v2/sleep', { action: 'get', startdate: 0, enddate: 1, data_fields: ['breathing_sounds'] }],
      ['v2/sleep', { action: 'getsummary', lastupdate: 0, data_fields: 'sleep_score' }],
      ['v2/heart', { action: 'list', startdate: 0, enddate: 4_102_444_800, offset: 0 }],
      ['v2/heart', { action: 'get', signalid, with_filtered: true, with_intervals: false }],
    ]
    for (const [service, body] of calls) {
      const response = await data(service, body)
      expect(response.status, `${service} ${JSON.stringify(body)}`).toBe(200)
    }
    expect(dataCalls()).toBe(calls.length + 1)
  })

  test('without a session: 401 session_expired and no upstream call, whatever bearer comes along', async () => {
    stack = await startStack()
    const stranger = createApiClient(stack.appUrl)
    for (const authorization of [undefined, `Bearer ${'f'.repeat(40)}`]) {
      const headers: Record<string, string> = authorization ? { authorization } : {}
      const response = await stranger.post(
        '/api/withings/measure',
        { action: 'getmeas' },
        { headers },
      )
      await expectError(response, 401, 'session_expired')
    }
    expect(dataCalls()).toBe(0)
  })

  test("Withings refusing the access token (status 401): one refresh, one retry, and Withings' answer", async () => {
    const { data } = await connected()
    stack.emulator.faults.inject({ type: 'status', status: 401 }, { on: 'data', times: 1 })
    const response = await data('v2/heart', { action: 'list' })
    expect(response.status).toBe(200)
    expect((await response.json()).status).toBe(0)
    expect(refreshes()).toBe(1)
    expect(dataCalls()).toBe(2)
  })

  test('refused again after the refresh: session_expired, the cookie cleared, no third call', async () => {
    const { data, api } = await connected()
    stack.emulator.faults.inject({ type: 'status', status: 401 }, { on: 'data', times: 2 })
    const response = await data('v2/heart', { action: 'list' })
    const error = await expectError(response, 401, 'session_expired')
    expect(error.message).toBe(
      'Withings no longer accepts this access token (Withings status 401).',
    )
    expect(
      response.headers.getSetCookie().some((line) => line.startsWith(`${SESSION_COOKIE}=;`)),
    ).toBe(true)
    expect(api.jar.has(SESSION_COOKIE)).toBe(false)
    expect(refreshes()).toBe(1)
    expect(dataCalls()).toBe(2)
  })

  test('an expired access token is refreshed before the call, not after a refusal', async () => {
    const clock = fakeClock()
    const { data } = await connected({ now: clock.now, emulator: { accessTokenTtlSeconds: 60 } })
    clock.advance(61_000)
    const response = await data('v2/heart', { action: 'list' })
    expect(response.status).toBe(200)
    expect(refreshes()).toBe(1)
    expect(dataCalls()).toBe(1)
  })

  // A refresh carries the app's credentials and the person's refresh token: Withings' refusal is
  // about one or the other, and the call it was for never leaves.
  const BAD_CREDENTIALS =
    "Withings refused the app's credentials: check WITHINGS_CLIENT_ID and WITHINGS_CLIENT_SECRET, and that WITHINGS_REDIRECT_URI is exactly a callback registered for the app"
  const SESSION_GONE = 'Withings no longer accepts this session'
  test.each([
    [503, 'Invalid Params: invalid refresh_token', 401, 'session_expired', false, SESSION_GONE],
    [401, 'Authentication failed', 401, 'session_expired', false, SESSION_GONE],
    [503, 'Invalid Params: invalid client_id', 502, 'invalid_client', false, BAD_CREDENTIALS],
    [
      2553,
      'Unauthorized',
      502,
      'upstream_error',
      false,
      "Withings refused the app's access to this service",
    ],
    [524, 'Bad state', 502, 'upstream_unavailable', true, 'Withings reported a bad state'],
    // With the emulator's default wait for 601, passed on.
    [601, 'Too many requests', 429, 'rate_limited', true, 'Withings asks to slow down', 10],
  ] as [number, string, number, string, boolean, string, number?][])(
    'a due refresh meeting status %i (%s) becomes %i %s, with no data call',
    async (status, text, http, code, retryable, sentence, wait) => {
      const clock = fakeClock()
      const { data, api } = await connected({
        now: clock.now,
        emulator: { accessTokenTtlSeconds: 60 },
      })
      clock.advance(61_000)
      stack.emulator.faults.inject(
        { type: 'status', status, error: text },
        { on: 'token', times: 1 },
      )
      const response = await data('v2/heart', { action: 'list' })
      const error = await expectError(response, http, code)
      expect(error).toEqual({
        code,
        retryable,
        message: `${sentence} (Withings status ${status}).`,
        ...(wait !== undefined && { retry_after: wait }),
      })
      expect(response.headers.get('retry-after')).toBe(wait === undefined ? null : `${wait}`)
      expect(api.jar.has(SESSION_COOKIE)).toBe(code !== 'session_expired')
      expect(refreshes()).toBe(1)
      expect(dataCalls()).toBe(0)
    },
  )

  test('a scope the person did not grant: 403 scope_denied, in our words, after one call', async () => {
    const { data } = await connected({}, ['user.metrics'])
    const response = await data('v2/measure', { action: 'getactivity', lastupdate: 0 })
    const error = await expectError(response, 403, 'scope_denied')
    expect(error.message).not.toMatch(/insufficient_scope/i)
    expect(dataCalls()).toBe(1)
  })

  // Withings' statuses by family (reference, "Response Status"), and the 403 real answers carry
  // for a missing scope (python-withings issue 587): each becomes one relay code, after exactly
  // one call, and Withings' own text never reaches the answer.
  test.each([
    [
      403,
      'XRequestID: Not provided Insufficient_scope: The request requires higher privileges',
      403,
      'scope_denied',
      false,
      SCOPE_MISSING,
    ],
    [214, 'Unauthorized', 403, 'scope_denied', false, SCOPE_MISSING],
    [277, 'Unauthorized', 403, 'scope_denied', false, SCOPE_MISSING],
    [2553, 'Unauthorized', 403, 'scope_denied', false, SCOPE_MISSING],
    [2555, 'Unauthorized', 403, 'scope_denied', false, SCOPE_MISSING],
    [522, 'Timeout', 504, 'upstream_timeout', true, 'Withings timed out'],
    [524, 'Bad state', 502, 'upstream_unavailable', true, 'Withings reported a bad state'],
    [2554, 'Not implemented', 502, 'upstream_error', false, 'Withings refused the request'],
    [503, 'Invalid Params: invalid lastupdate', 502, 'upstream_error', false, PARAMS_REFUSED],
    // The words that make a token call's refusal about the app's credentials mean nothing here.
    [503, 'Invalid Params: invalid client_id', 502, 'upstream_error', false, PARAMS_REFUSED],
    [9999, 'An unknown error', 502, 'upstream_error', false, 'Withings refused the request'],
  ])(
    'Withings status %i (%s) becomes %i %s',
    async (status, text, http, code, retryable, sentence) => {
      const { data } = await connected()
      stack.emulator.faults.inject(
        { type: 'status', status, error: `${text} CANARY-TEXT` },
        { on: 'data', times: 1 },
      )
      const response = await data('v2/heart', { action: 'list' })
      const error = await expectError(response, http, code)
      expect(error).toEqual({
        code,
        retryable,
        message: `${sentence} (Withings status ${status}).`,
      })
      expect(JSON.stringify(error)).not.toContain('CANARY-TEXT')
      expect(dataCalls()).toBe(1)
      expect(refreshes()).toBe(0)
    },
  )

  test('the recorded answer of a call without its scope (403 Insufficient_scope) is scope_denied', async () => {
    const { data } = await connected()
    const { status, error } = insufficientScopeAnswer
    stack.emulator.faults.inject({ type: 'status', status, error }, { on: 'data', times: 1 })
    await expectError(
      await data('v2/sleep', { action: 'getsummary', lastupdate: 0 }),
      403,
      'scope_denied',
    )
  })

  test("601 becomes 429 rate_limited with Withings' wait as retry_after and Retry-After", async () => {
    const { data } = await connected()
    stack.emulator.faults.inject(
      { type: 'status', status: 601, body: { wait_seconds: 42 } },
      { on: 'data', times: 1 },
    )
    const response = await data('v2/heart', { action: 'list' })
    expect(response.headers.get('retry-after')).toBe('42')
    const error = await expectError(response, 429, 'rate_limited')
    expect(error).toEqual({
      code: 'rate_limited',
      retryable: true,
      retry_after: 42,
      message: 'Withings asks to slow down (Withings status 601).',
    })
    expect(dataCalls()).toBe(1)
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
    const call = () => data('v2/heart', { action: 'list' })
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

  test('needs the custom header and the Origin like every POST: no upstream call without them', async () => {
    const { api, data } = await connected()
    const response = await data('v2/heart', { action: 'list' })
    expect(response.status).toBe(200)
    const cookie = `${SESSION_COOKIE}=${api.jar.get(SESSION_COOKIE)}`
    const attempts = [
      pagePost(stack.appUrl, { action: 'list' }, { [CUSTOM_HEADER]: undefined, cookie }),
      pagePost('https://evil.example', { action: 'list' }, { cookie }),
    ]
    for (const request of attempts) {
      const stripped = await fetch(`${stack.appUrl}/api/withings/v2/heart`, request)
      await expectError(stripped, 403, 'forbidden_origin')
    }
    expect(dataCalls()).toBe(1)
  })

  test('no log line carries the access token', async () => {
    const { data, accessToken } = await connected()
    const token = await accessToken()
    await data('measure', { action: 'getmeas' })
    await data('measure', { action: 'nope' })
    expect(stack.logs.some((line) => line.route === '/api/withings/:service{.+}')).toBe(true)
    expect(JSON.stringify(stack.logs)).not.toContain(token)
  })
})

// Answers real integrations recorded (test/fixtures/withings names each source), served by the
// emulator as Withings sent them: the relay hands each to the page unchanged, nulls, duplicates,
// missing fields and undocumented values included.
describe('recorded answers through the proxy', () => {
  const body = (answer: { body: unknown }) => answer.body as Record<string, unknown>
  test.each([
    [
      'workouts of a phone, null fields, a duplicated id',
      'v2/measure',
      { action: 'getworkouts', lastupdate: 0 },
      phoneWorkoutsAnswer,
    ],
    [
      'devices with battery "unknown" and model ""',
      'v2/user',
      { action: 'getdevice' },
      devicesWithUnknowns,
    ],
    [
      'ECGs without bloodpressure, modified or timezone',
      'v2/heart',
      { action: 'list' },
      heartListAnswer,
    ],
    [
      'a last getmeas page without more or offset',
      'measure',
      { action: 'getmeas' },
      lastPageWithoutMore,
    ],
    [
      'attribs 10009 and 10010, types 226 and 227',
      'measure',
      { action: 'getmeas' },
      { status: 0, body: { measuregrps: [bodyScanMetabolismGroup, ...undocumentedAttribGroups] } },
    ],
  ])('%s', async (_, service, params, answer) => {
    const { data } = await connected({}, ['user.metrics', 'user.activity', 'user.info'])
    stack.emulator.faults.inject(
      { type: 'status', status: 0, body: body(answer) },
      { on: 'data', times: 1 },
    )
    const response = await data(service, params)
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 0, body: body(answer) })
  })
})
