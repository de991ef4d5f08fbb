import Redis from 'ioredis'
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest'
import type { RelayConfig } from '../../relay/core/config'
import type { LogLine } from '../../relay/core/http/request-log'
import { createMemoryStore } from '../../relay/core/store/memory-store'
import { createEmulator, type Emulator } from '../../relay/emulator/emulator'
import { type Listening, listen } from '../../relay/node/listen'
import { createNodeRelay, type NodeRelay } from '../../relay/node/node-relay'
import { randomState } from '../../web/react/auth/random-state'
import { createApiClient } from '../support/api-client'
import { openLiveStream } from '../support/live-stream'
import { startLoginAt } from '../support/login'
import { pagePost } from '../support/page-post'
import { startRedis, type TestRedis } from '../support/redis'
import { testConfig } from '../support/relay-config'
import { CLIENT_ID, CLIENT_SECRET } from '../support/stack'

// createNodeRelay, the one Node wiring (withings-link/node): with REDIS_URL, the instances of an
// app share their store through Redis; whatever a caller passes replaces that part of the wiring.

const ORIGIN = 'https://app.example.com'
const REDIRECT_URI = `${ORIGIN}/callback`

let redis: TestRedis
let withings: Listening
let emulator: Emulator
let config: RelayConfig
beforeAll(async () => {
  redis = await startRedis()
  emulator = createEmulator({
    clients: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, callbacks: [REDIRECT_URI] }],
  })
  withings = await listen(emulator.fetch)
  config = testConfig({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri: REDIRECT_URI,
    authorizeUrl: `${withings.url}/oauth2_user/authorize2`,
    apiUrl: withings.url,
  })
})
afterAll(async () => {
  await withings?.close()
  await redis?.stop()
})

const opened: { close(): Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(opened.splice(0).map((each) => each.close()))
})

async function serve(relay: NodeRelay): Promise<string> {
  const server = await listen(relay.fetch)
  opened.push(server, relay)
  return server.url
}

const quiet = { log: () => {} }

describe('createNodeRelay', () => {
  test('with REDIS_URL, a state spent at one instance is spent at the other', async () => {
    const shared = { ...config, redisUrl: redis.url }
    const [first, second] = await Promise.all([
      createNodeRelay(shared, quiet).then(serve),
      createNodeRelay(shared, quiet).then(serve),
    ])
    const api = createApiClient(first, { origin: ORIGIN })
    const login = await startLoginAt(api, {
      authorize_url: config.authorizeUrl,
      client_id: config.clientId,
      redirect_uri: config.redirectUri,
    })
    // A copy of the login cookie from before the exchange, replayed at the other instance.
    const copy = createApiClient(second, { origin: ORIGIN })
    for (const [name, value] of api.jar) copy.jar.set(name, value)

    expect((await api.post('/api/auth/token', login.body)).status).toBe(200)
    const replayed = await copy.post('/api/auth/token', login.body)
    expect(replayed.status).toBe(400)
    expect(await replayed.json()).toMatchObject({ error: { code: 'invalid_state' } })
  })

  test('a store passed in replaces Redis: REDIS_URL is then never dialled', async () => {
    const unreachable = { ...config, redisUrl: 'redis://127.0.0.1:1' }
    const url = await serve(
      await createNodeRelay(unreachable, { ...quiet, store: createMemoryStore() }),
    )
    const api = createApiClient(url, { origin: ORIGIN })
    const login = await startLoginAt(api, {
      authorize_url: config.authorizeUrl,
      client_id: config.clientId,
      redirect_uri: config.redirectUri,
    })
    expect((await api.post('/api/auth/token', login.body)).status).toBe(200)
  })

  test("a Redis it cannot reach is logged by kind, never with ioredis's message", async () => {
    const lines: LogLine[] = []
    const password = 'canary-redis-password-7Kq'
    const unreachable = { ...config, redisUrl: `redis://user:${password}@127.0.0.1:1` }
    opened.push(await createNodeRelay(unreachable, { log: (line) => lines.push(line) }))
    await vi.waitFor(() => expect(lines).not.toEqual([]))
    expect(lines[0]).toEqual({
      level: 'error',
      msg: 'shared store unavailable',
      cause: 'StoreUnavailable store_unavailable <- Error ECONNREFUSED',
    })
    // ioredis's message names the address ("connect ECONNREFUSED 127.0.0.1:1").
    for (const line of lines)
      expect(JSON.stringify(line)).not.toMatch(/127\.0\.0\.1|connect |canary/)
  })

  test('its own shutDown, settled and close: streams told to come back, work awaited, Redis let go', async () => {
    const clients = new Redis(redis.url)
    opened.push({ close: async () => void clients.disconnect() })
    const connections = async () =>
      String(await clients.call('CLIENT', 'LIST'))
        .trim()
        .split('\n').length
    const alone = await connections()
    // Subscribes without the 5 s between them that Withings is spared in production.
    const unpaced = { ...quiet, pause: async () => true }
    const relay = await createNodeRelay({ ...config, redisUrl: redis.url }, unpaced)
    const server = await listen(relay.fetch)
    opened.push(server)
    // The commands connection and the pub/sub one.
    await expect.poll(connections).toBe(alone + 2)

    const api = createApiClient(server.url, { origin: ORIGIN })
    const login = await startLoginAt(api, {
      authorize_url: config.authorizeUrl,
      client_id: config.clientId,
      redirect_uri: config.redirectUri,
    })
    const notifyCalls = () => emulator.requests.count({ route: 'notify' })
    const before = notifyCalls()
    expect((await api.post('/api/auth/token', login.body)).status).toBe(200)
    // Subscribing to notifications goes on after the answer: settled waits for it.
    expect(await relay.settled(5_000)).toBe(true)
    expect(notifyCalls()).toBeGreaterThan(before)
    const stream = await openLiveStream(api)
    expect(stream.status).toBe(200)
    relay.shutDown()
    await stream.next((frame) => frame.event === 'reconnect')
    await stream.ended
    await relay.close()
    await expect.poll(connections).toBe(alone)
  })

  test("rate limits count each client by its connection's address (IPv4 and IPv6 loopback apart)", async () => {
    const relay = await createNodeRelay({ ...config, rateLimitPerMinute: 1 }, quiet)
    const server = await listen(relay.fetch, { hostname: '::' })
    opened.push(server, relay)
    const login = (host: string) =>
      fetch(
        `http://${host}:${server.port}/api/auth/login`,
        pagePost(ORIGIN, { state: randomState() }),
      )
    expect((await login('127.0.0.1')).status).toBe(204)
    expect((await login('127.0.0.1')).status).toBe(429)
    expect((await login('[::1]')).status).toBe(204)
  })
})
