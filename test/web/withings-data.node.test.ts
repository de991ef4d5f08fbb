import { afterEach, describe, expect, test, vi } from 'vitest'
import { ACTIVITY_DAYS, loadSleep, loadSteps, loadWeight } from '../../web/app/data/dashboard-data'
import { WEIGHT } from '../../web/app/data/meastypes'
import { localDay, ymd } from '../../web/app/data/series'
import { createRelayClient } from '../../web/react/auth/relay-client'
import { createWithingsData } from '../../web/react/auth/withings-data'
import { createApiClient } from '../support/api-client'
import { fakeRelay } from '../support/fake-relay'
import { connect } from '../support/login'
import { fakeClock, type Stack, type StackOptions, startStack } from '../support/stack'

// The SPA's data client against the real relay and the real emulator over HTTP: the relay client
// posts from Node the way the page does, with the app's Origin and its cookies (and no token:
// the relay holds both, sealed in the session cookie).

let stack: Stack
afterEach(() => stack?.close())

async function spa(options: StackOptions = {}) {
  stack = await startStack(options)
  const api = createApiClient(stack.appUrl)
  expect((await connect(stack, api)).status).toBe(200)
  const relay = createRelayClient(stack.appUrl, api.fetch)
  const onSessionEnded = vi.fn()
  return { api, relay, onSessionEnded, data: createWithingsData({ relay, onSessionEnded }) }
}

const dataCalls = () => stack.emulator.requests.count({ route: 'data' })
const refreshes = () => stack.emulator.requests.count({ grantType: 'refresh_token' })

describe("the SPA's data client against the real relay and emulator", () => {
  test('follows more and offset through every page, and stops there', async () => {
    const { data } = await spa({ emulator: { pageSize: 10 } })
    const groups = await data.all('measure', 'getmeas', { meastype: WEIGHT }, 'measuregrps')
    const seeded = stack.emulator.data
      .of(363)
      .measuregrps.filter((group) => group.measures.some((m) => m.type === WEIGHT))
    expect(groups).toHaveLength(seeded.length)
    expect(dataCalls()).toBe(Math.ceil(seeded.length / 10))
    expect(dataCalls()).toBeGreaterThan(10)
  })

  test('the weight panel ends with the emulator’s latest weight', async () => {
    const { data } = await spa()
    const points = await loadWeight(data)
    const latest = stack.emulator.data.latestMeasure(363, WEIGHT)
    expect(points.at(-1)).toEqual({ time: (latest?.date ?? 0) * 1000, value: latest?.real })
  })

  test('the weight panel’s latest is the person’s, though a guest weighed in after', async () => {
    const { data } = await spa()
    const points = await loadWeight(data)
    const groups = stack.emulator.data.of(363).measuregrps
    const guest = groups.filter((group) => group.attrib === 1).at(-1)
    expect(guest?.date ?? 0).toBeGreaterThan((points.at(-1)?.time ?? Infinity) / 1000)
    expect(points.map((point) => point.time)).not.toContain((guest?.date ?? 0) * 1000)
  })

  test('sleep: one bar per night, naps and "not available" nights left out', async () => {
    const { data } = await spa()
    const points = await loadSleep(data)
    const shown = new Map(points.map((point) => [point.time, point.value]))
    const firstDay = ymd(Date.now() - (ACTIVITY_DAYS - 1) * 86_400_000)
    const periods = stack.emulator.data
      .of(363)
      .sleepSummaries.filter((period) => period.date >= firstDay)
    const napDays = new Set(
      periods
        .filter((p, i) => periods.findIndex((q) => q.date === p.date) !== i)
        .map((p) => p.date),
    )
    expect(napDays.size).toBeGreaterThan(0)
    for (const day of napDays) {
      const inBed = (p: (typeof periods)[number]) => p.enddate - p.startdate
      const night = periods
        .filter((p) => p.date === day)
        .reduce((a, b) => (inBed(b) > inBed(a) ? b : a))
      expect(shown.get(localDay(day))).toBe(night.data.total_sleep_time)
    }
    const unstaged = periods.filter((period) => period.data.total_sleep_time === -1)
    expect(unstaged).toHaveLength(1)
    expect(shown.has(localDay(unstaged[0]?.date ?? ''))).toBe(false)
    expect(points.every((point) => point.value > 0)).toBe(true)
  })

  test('steps: the days the phone counted are charted too', async () => {
    const { data } = await spa()
    const charted = (await loadSteps(data)).map((point) => point.time)
    const firstDay = ymd(Date.now() - (ACTIVITY_DAYS - 1) * 86_400_000)
    const phoneDays = stack.emulator.data
      .of(363)
      .activities.filter((day) => !day.is_tracker && day.date >= firstDay)
      .map((day) => localDay(day.date))
    expect(phoneDays).toHaveLength(3)
    for (const day of phoneDays) expect(charted).toContain(day)
  })

  test('with the access token expired, the relay refreshes once by itself and the call succeeds', async () => {
    const clock = fakeClock()
    const { data, relay } = await spa({
      now: clock.now,
      emulator: { accessTokenTtlSeconds: 3_600 },
    })
    const before = await relay.session()
    clock.advance(3_601_000)
    const body = await data.call('v2/heart', 'list')
    expect(body.series).toEqual(expect.any(Array))
    expect(refreshes()).toBe(1)
    expect(dataCalls()).toBe(1)
    expect((await relay.session())?.expires_at).toBeGreaterThan(before?.expires_at ?? Infinity)
    expect(refreshes()).toBe(1)
  })

  test('identical calls in flight share one request; a later one asks again', async () => {
    const { data } = await spa()
    const [first, second] = await Promise.all([
      data.call('v2/heart', 'list'),
      data.call('v2/heart', 'list'),
    ])
    expect(second).toBe(first)
    expect(dataCalls()).toBe(1)
    await data.call('v2/heart', 'list')
    expect(dataCalls()).toBe(2)
  })

  test('a scope the person did not grant is scope_denied, with no extra call upstream', async () => {
    const { data } = await spa()
    await expect(data.call('v2/user', 'getgoals')).rejects.toMatchObject({ code: 'scope_denied' })
    expect(dataCalls()).toBe(1)
  })

  test('after Disconnect, a data call finds no session and says so', async () => {
    const { data, relay, onSessionEnded } = await spa()
    await relay.logout()
    await expect(data.call('v2/heart', 'list')).rejects.toMatchObject({ code: 'session_expired' })
    expect(onSessionEnded).toHaveBeenCalledOnce()
    expect(dataCalls()).toBe(0)
  })
})

// What the real relay never sends, so a stand-in at the network edge sends it instead.
describe("the SPA's data client, on answers the relay does not send", () => {
  test('joins the lists of every page, a page without one included, and stops at no `more`', async () => {
    const pages: Record<number, unknown> = {
      0: { series: ['a', 'b'], more: 1, offset: 2 },
      2: { more: true, offset: 3 },
      3: { series: ['c'], more: false, offset: 10 },
      10: { series: ['beyond the end'] },
    }
    const relay = fakeRelay({
      withings: async (_, body) => ({ status: 0, body: pages[Number(body.offset ?? 0)] }),
    })
    const data = createWithingsData({ relay, onSessionEnded: vi.fn() })
    expect(await data.all('v2/heart', 'list', {}, 'series')).toEqual(['a', 'b', 'c'])
    expect(relay.withings.mock.calls.map(([, body]) => body.offset)).toEqual([undefined, 2, 3])
  })

  test.each([
    ['nothing', undefined],
    ['null', null],
    ['text', 'status=0'],
    ['an envelope with no body', { status: 0 }],
    ['a null body', { status: 0, body: null }],
    ['a list for a body', { status: 0, body: [] }],
    ['a text body', { status: 0, body: 'ok' }],
  ])('%s for an answer is an unexpected response, and the session goes on', async (_, answer) => {
    const onSessionEnded = vi.fn()
    const relay = fakeRelay({ withings: async () => answer })
    const data = createWithingsData({ relay, onSessionEnded })
    await expect(data.call('v2/heart', 'list')).rejects.toMatchObject({
      code: 'unexpected_response',
      message: 'The relay sent no Withings answer.',
    })
    expect(onSessionEnded).not.toHaveBeenCalled()
  })
})
