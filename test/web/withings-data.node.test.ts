import { afterEach, describe, expect, test, vi } from 'vitest'
import { loadWeight } from '../../web/data/dashboard-data'
import { WEIGHT } from '../../web/data/meastypes'
import { createRelayClient } from '../../web/link/auth/relay-client'
import { createWithingsData } from '../../web/link/auth/withings-data'
import { createApiClient } from '../support/api-client'
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
  const fetchAsPage: typeof fetch = (input, init) =>
    api.request(String(input).slice(stack.appUrl.length), {
      ...init,
      headers: { ...(init?.headers as Record<string, string>), origin: stack.appUrl },
    })
  const relay = createRelayClient(stack.appUrl, fetchAsPage)
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
    expect((await relay.session()).expires_at).toBeGreaterThan(before.expires_at)
    expect(refreshes()).toBe(1)
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
