import { afterEach, describe, expect, test } from 'vitest'
import type { TokenView } from '../../relay/contract'
import { loadWeight } from '../../web/data/dashboard-data'
import { WEIGHT } from '../../web/data/meastypes'
import { createWithingsData } from '../../web/data/withings-data'
import { createRelayClient } from '../../web/link/auth/relay-client'
import { createSessionStore } from '../../web/link/auth/session-store'
import { createApiClient } from '../support/api-client'
import { connect } from '../support/login'
import { fakeClock, type Stack, type StackOptions, startStack } from '../support/stack'

// The SPA's data client (web/data) against the real relay and the real emulator over HTTP: the
// relay client posts from Node the way the page does, with the app's Origin and its cookies.

let stack: Stack
let dispose = () => {}
afterEach(async () => {
  dispose()
  await stack?.close()
})

async function spa(options: StackOptions = {}) {
  stack = await startStack(options)
  const api = createApiClient(stack.appUrl)
  const token: TokenView = await (await connect(stack, api)).json()
  const fetchAsPage: typeof fetch = (input, init) =>
    api.request(String(input).slice(stack.appUrl.length), {
      ...init,
      headers: { ...(init?.headers as Record<string, string>), origin: stack.appUrl },
    })
  const relay = createRelayClient(stack.appUrl, fetchAsPage)
  const store = createSessionStore({
    relay,
    channel: { post() {}, listen: () => () => {} },
    lock: (task) => task(),
  })
  dispose = () => store.dispose()
  store.connect(token)
  return { store, token, data: createWithingsData({ relay, store }) }
}

const dataCalls = () => stack.emulator.requests.count({ route: 'data' })

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

  test('an access token Withings no longer accepts: one refresh, one retry, and the data', async () => {
    // The relay and emulator move on an hour; the page's own clock does not, so it still trusts
    // its token, and only Withings' 401 tells it otherwise.
    const clock = fakeClock()
    const { data, store, token } = await spa({
      now: clock.now,
      emulator: { accessTokenTtlSeconds: 3_600 },
    })
    clock.advance(3_601_000)
    const body = await data.call('v2/heart', 'list')
    expect(body.series).toEqual(expect.any(Array))
    expect(stack.emulator.requests.count({ grantType: 'refresh_token' })).toBe(1)
    expect(dataCalls()).toBe(2)
    expect(await store.accessToken()).not.toBe(token.access_token)
  })

  test('a scope the person did not grant is scope_denied', async () => {
    const { data } = await spa()
    await expect(data.call('v2/user', 'getgoals')).rejects.toMatchObject({ code: 'scope_denied' })
  })
})
