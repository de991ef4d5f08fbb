import { afterAll, beforeAll, expect, test, vi } from 'vitest'
import type { SharedStore } from '../../relay/core/store/shared-store'
import { createRedisStore } from '../../relay/node/redis-store'
import { type ApiClient, createApiClient } from '../support/api-client'
import { type LiveStream, openLiveStream } from '../support/live-stream'
import { connect } from '../support/login'
import { startRedis, type TestRedis } from '../support/redis'
import { type Stack, startStack } from '../support/stack'
import { collectUncaught } from '../support/uncaught'

// Two relay instances, each with its own connection to one Redis (as two processes behind a load
// balancer): Withings notifies instance A, the person's page is open on instance B. Then Redis
// goes away (killed, as in a crash) and comes back empty.

let redis: TestRedis
let stack: Stack
const stores: SharedStore[] = []
const streams: LiveStream[] = []
const uncaught = collectUncaught()

beforeAll(async () => {
  redis = await startRedis()
})
afterAll(async () => {
  for (const stream of streams) stream.close()
  await stack?.close()
  await Promise.all(stores.map((store) => store.close()))
  await redis?.stop()
})

function redisStore() {
  const store = createRedisStore({ url: redis.url, prefix: 'live:', onError: () => {} })
  stores.push(store)
  return store
}

async function live(api: ApiClient, base: string) {
  const stream = await openLiveStream(api, { base })
  streams.push(stream)
  return stream
}

const DEMO = 363
const ADA = { email: 'ada@example.com', password: 'ada-emulator' }
const SCOPES = ['user.metrics', 'user.sleepevents']

test('a notification received by one instance reaches the page open on the other, through Redis going away and back', async () => {
  stack = await startStack({ store: redisStore() })
  const instanceB = await stack.addRelay({}, { store: redisStore() })
  const demo = createApiClient(stack.appUrl)
  expect((await connect(stack, demo, { scopes: SCOPES })).status).toBe(200)
  const ada = createApiClient(stack.appUrl)
  expect((await connect(stack, ada, { scopes: SCOPES, demo: false, ...ADA })).status).toBe(200)
  await stack.settled()
  const callbacks = new Set(stack.emulator.notifications.subscriptions.map((s) => s.callbackurl))
  // Withings is told instance A's public origin (the redirect URI's), never B's port.
  for (const url of callbacks) expect(url.startsWith(`${stack.appUrl}/`)).toBe(true)

  const onB = await live(demo, instanceB)
  expect(onB.status).toBe(200)
  const { notifications } = stack.emulator
  const bedIn = await notifications.trigger({ type: 'bed_in', userid: DEMO })
  expect(bedIn.deliveries[0]?.attempts[0]?.httpStatus).toBe(200)
  const frame = await onB.next((f) => f.event === 'notify')
  expect(JSON.parse(frame.data)).toMatchObject({ appli: 50, kind: 'bed_in' })

  await redis.stop()
  // Withings is still answered 2xx within its deadline: nothing waits on the store first.
  const whileDown = await notifications.trigger({ type: 'bed_out', userid: DEMO })
  expect(whileDown.deliveries[0]?.attempts[0]).toMatchObject({
    outcome: 'delivered',
    httpStatus: 200,
  })
  expect(whileDown.deliveries[0]?.attempts[0]?.durationMs).toBeLessThan(1_000)
  // A page that opens meanwhile is told to come back shortly; the one already open stays open.
  const refused = await live(ada, instanceB)
  expect(refused.status).toBe(503)
  expect((await refused.json()).error.code).toBe('relay_unavailable')
  expect((await fetch(`${instanceB}/api/healthz`)).status).toBe(200)

  await redis.restart()
  // The page reconnects (the SPA retries with backoff) once instance B can subscribe again.
  let again: LiveStream | undefined
  await vi.waitFor(
    async () => {
      again = await live(ada, instanceB)
      expect(again.status).toBe(200)
    },
    { timeout: 10_000, interval: 200 },
  )
  // Both pages get what comes now: the open one through the subscription Redis was given again.
  await vi.waitFor(
    async () => {
      await notifications.trigger({ type: 'inflate_done', userid: DEMO })
      await onB.next((f) => f.data.includes('inflate_done'), 300)
    },
    { timeout: 10_000, interval: 100 },
  )
  await notifications.trigger({ type: 'bed_in', userid: 4_815_162 })
  const adaFrame = await again?.next((f) => f.event === 'notify')
  expect(JSON.parse(adaFrame?.data ?? '{}')).toMatchObject({ appli: 50, kind: 'bed_in' })
  await stack.settled()
  expect(uncaught).toEqual([])
})
