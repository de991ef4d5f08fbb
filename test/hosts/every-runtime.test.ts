import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import type { PublicConfig } from '../../relay/contract/wire-contract'
import type { Emulator } from '../../relay/emulator/emulator'
import { randomState } from '../../web/react/auth/random-state'
import { type ApiClient, createApiClient } from '../support/api-client'
import { fetchFrom } from '../support/fetch-from'
import { freePort } from '../support/free-port'
import { type LiveStream, openLiveStream } from '../support/live-stream'
import { startLoginAt } from '../support/login'
import { startRedis, type TestRedis } from '../support/redis'
import { type HostedWithings, hostedWithings } from './hosted-withings'
import { type Runtime, selectedRuntimes } from './runtimes'
import { type Served, serveOn } from './serve-on'

// The relay's HTTP contract on every runtime it claims (docs/hosts.md): served by each as
// production serves it — `npm start`'s bundle on every Node, deploy/'s recipes on Bun, Deno and
// workerd — in a process of its own, against the emulator in this process over HTTP. The person
// signs in, reads data, gets a refresh, a live notification through the callback, and
// disconnects; an address of made-up codes is held back while seventy people from seventy others
// sign in, each counted apart. A failure names the runtime and its version.

const builds = inject('hostBuilds')
const DEMO_USER = 363
const RATE_LIMIT_PER_MINUTE = 30
/** SIGN_INS_PER_ADDRESS's default: refused exchanges one address may ask for in ten minutes. */
const SIGN_INS_PER_ADDRESS = 6

interface Row {
  name: string
  runtime: Runtime
  redis: boolean
}

/** Each runtime with the store in memory; Bun and Deno again with Redis (ioredis) shared. */
const rows: Row[] = selectedRuntimes().flatMap((runtime) => [
  { name: runtime.name, runtime, redis: false },
  ...(runtime.family === 'bun' || runtime.family === 'deno'
    ? [{ name: `${runtime.name} with Redis`, runtime, redis: true }]
    : []),
])

describe.each(rows.map((row) => [row.name, row] as const))('the relay on %s', (_, row) => {
  const { runtime, redis: withRedis } = row
  let withings: HostedWithings
  let emulator: Emulator
  let redis: TestRedis | undefined
  let relay: Served
  let appUrl: string
  let config: PublicConfig
  let person: ApiClient
  const streams: LiveStream[] = []

  beforeAll(async () => {
    if (withRedis) redis = await startRedis()
    const port = await freePort()
    appUrl = `http://localhost:${port}`
    withings = await hostedWithings(appUrl, runtime.id)
    emulator = withings.emulator
    relay = await serveOn({
      runtime,
      program: 'relay',
      builds,
      port,
      env: withings.relayEnv(builds, {
        // Seventy sign-ins in a few seconds, far more than Withings' 120 calls a minute allow.
        WITHINGS_CALLS_PER_MINUTE: '10000',
        RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT_PER_MINUTE),
        WITHINGS_TIMEOUT_MS: '5000',
        ...(redis && { REDIS_URL: redis.url }),
      }),
    })
    person = createApiClient(relay.url, { origin: appUrl })
  }, 60_000)

  afterAll(async () => {
    for (const stream of streams) stream.close()
    await relay?.stop()
    await withings?.close()
    await redis?.stop()
  })

  /** Signs in through the emulator's consent (in this process) and exchanges the code. */
  async function signIn(api: ApiClient) {
    // Weighings and blood pressure: two notification categories to subscribe.
    const { body } = await startLoginAt(api, config, {
      scopes: ['user.metrics'],
      fetch: emulator.fetch,
    })
    return api.post('/api/auth/token', body)
  }

  test('answers its health, its readiness and its settings', async () => {
    const health = await fetch(`${relay.url}/api/healthz`)
    expect(health.status).toBe(200)
    const ready = await fetch(`${relay.url}/api/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({
      ready: true,
      down: [],
      checks: withRedis ? { redis: 'up' } : {},
    })
    const answer = await fetch(`${relay.url}/api/config`)
    expect(answer.status).toBe(200)
    config = await answer.json()
    expect(config).toMatchObject({ redirect_uri: `${appUrl}/callback` })
  })

  test('exchanges a code within one sign-in, and shows the session', async () => {
    const exchanged = await signIn(person)
    expect(exchanged.status).toBe(200)
    expect(await exchanged.json()).toMatchObject({ userid: String(DEMO_USER) })
    const view = await person.post('/api/auth/session')
    expect(view.status).toBe(200)
    expect(await view.json()).toMatchObject({ userid: String(DEMO_USER) })
    // After answering, the relay subscribes the person to weighings at Withings.
    await expect
      .poll(() => emulator.notifications.subscriptions.some((s) => s.appli === 1), {
        timeout: 20_000,
      })
      .toBe(true)
  })

  test("proxies Withings' data, refreshing the tokens when Withings refuses the access token", async () => {
    emulator.faults.inject({ type: 'status', status: 401 }, { on: 'data', times: 1 })
    const answer = await person.post('/api/withings/v2/heart', { action: 'list' })
    expect(answer.status).toBe(200)
    expect(await answer.json()).toMatchObject({ status: 0 })
    expect(emulator.requests.count({ grantType: 'refresh_token' })).toBe(1)
    const view = await person.post('/api/auth/session')
    expect(view.status).toBe(200)
  })

  test("passes a notification from Withings' callback to the person's live stream", async () => {
    const stream = await openLiveStream(person)
    streams.push(stream)
    expect(stream.status).toBe(200)
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const triggered = await emulator.notifications.trigger({ type: 'weighing', userid: DEMO_USER })
    expect(triggered.deliveries[0]?.attempts[0]).toMatchObject({ httpStatus: 200 })
    const frame = await stream.next((f) => f.event === 'notify', 10_000)
    expect(JSON.parse(frame.data)).toMatchObject({ appli: 1, kind: 'data' })
  })

  test('disconnects: revoked at Withings (a signed call), the session and its stream ended', async () => {
    const farewell = await person.post('/api/auth/logout')
    expect(farewell.status).toBe(200)
    expect(await farewell.json()).toMatchObject({ withings_informed: true })
    expect(emulator.requests.count({ route: 'revoke' })).toBe(1)
    await streams[0]?.next((f) => f.event === 'ended', 10_000)
    expect((await person.post('/api/auth/session')).status).toBe(204)
  })

  test('counts sign-ins by address: one whose codes Withings refused is held back, 70 people from 70 others sign in', async () => {
    // Made-up codes: Withings refuses six from this address, then the relay itself.
    const guesser = createApiClient(relay.url, { origin: appUrl, send: fetchFrom('127.0.0.9') })
    const codes: string[] = []
    for (let attempt = 0; attempt < SIGN_INS_PER_ADDRESS + 1; attempt++) {
      const { state } = await startLoginAt(guesser, config, { fetch: emulator.fetch })
      // A new one each time: Withings answers the same request repeated with 601.
      const code = randomState().slice(0, 40).toLowerCase()
      const answer = await guesser.post('/api/auth/token', { code, state })
      codes.push((await answer.json()).error?.code)
    }
    expect(codes).toEqual([...Array(SIGN_INS_PER_ADDRESS).fill('code_expired'), 'sign_ins_limited'])

    const statuses: number[] = []
    // Ten people at a time, each from an address of its own (127.0.0.10 …).
    for (let batch = 0; batch < 7; batch++) {
      const people = Array.from({ length: 10 }, (_, i) =>
        createApiClient(relay.url, {
          origin: appUrl,
          send: fetchFrom(`127.0.0.${10 + batch * 10 + i}`),
        }),
      )
      for (const answer of await Promise.all(people.map(signIn))) statuses.push(answer.status)
    }
    expect(statuses).toEqual(Array(70).fill(200))
  }, 60_000)

  test('refuses one client past its limit, whatever address it claims, and not the next one', async () => {
    const one = createApiClient(relay.url, { origin: appUrl, send: fetchFrom('127.0.0.200') })
    const state = { state: 'x'.repeat(43) }
    for (let post = 0; post < RATE_LIMIT_PER_MINUTE; post++) {
      expect((await one.post('/api/auth/login', state)).status).toBe(204)
    }
    expect((await one.post('/api/auth/login', state)).status).toBe(429)
    const claiming = { 'x-forwarded-for': '203.0.113.9', 'cf-connecting-ip': '203.0.113.9' }
    expect((await one.post('/api/auth/login', state, { headers: claiming })).status).toBe(429)
    const another = createApiClient(relay.url, { origin: appUrl, send: fetchFrom('127.0.0.201') })
    expect((await another.post('/api/auth/login', state)).status).toBe(204)
  })
})
