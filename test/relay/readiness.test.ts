import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createRelay } from '../../relay/core/create-relay'
import type { SharedStore } from '../../relay/core/store/shared-store'
import { createRedisStore } from '../../relay/node/redis-store'
import { startRedis, type TestRedis } from '../support/redis'
import { testConfig } from '../support/relay-config'

// GET /api/readyz names what is down, with 503, for load balancers and readiness probes; the
// shared store brings its own check, and deps add theirs (a database).

let redis: TestRedis
const stores: SharedStore[] = []
beforeAll(async () => {
  redis = await startRedis()
})
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()))
  await redis?.stop()
})

const quiet = { log: () => {}, connectionAddress: () => '192.0.2.1' }
const readyz = (relay: ReturnType<typeof createRelay>) =>
  relay.request('http://localhost:3000/api/readyz')

describe('GET /api/readyz', () => {
  test('in memory, with nothing to check: ready', async () => {
    const answer = await readyz(createRelay(testConfig(), quiet))
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual({ ready: true, down: [], checks: {} })
    expect(answer.headers.get('cache-control')).toBe('no-store')
  })

  test('with Redis: ready while it answers, 503 naming it while it is down, ready again after', async () => {
    const store = createRedisStore({ url: redis.url, prefix: 'readyz:', onError: () => {} })
    stores.push(store)
    const relay = createRelay(testConfig(), { ...quiet, store })
    const up = await readyz(relay)
    expect(up.status).toBe(200)
    expect(await up.json()).toEqual({ ready: true, down: [], checks: { redis: 'up' } })

    await redis.stop()
    const down = await readyz(relay)
    expect(down.status).toBe(503)
    expect(await down.json()).toMatchObject({ ready: false, down: ['redis'] })

    await redis.restart()
    await expect.poll(async () => (await readyz(relay)).status, { timeout: 5_000 }).toBe(200)
  })

  test("a dependency's own check: down, or too slow to answer, named apart from the others", async () => {
    const relay = createRelay(testConfig(), {
      ...quiet,
      readiness: [
        {
          name: 'database',
          check: () => Promise.reject(new Error('password authentication failed for user "app"')),
        },
        {
          name: 'search',
          check: (signal) => new Promise((_, reject) => signal.addEventListener('abort', reject)),
        },
        { name: 'cache', check: () => undefined },
      ],
    })
    const answer = await readyz(relay)
    expect(answer.status).toBe(503)
    const body = await answer.json()
    expect(body).toEqual({
      ready: false,
      down: ['database', 'search'],
      checks: { database: 'down', search: 'timeout', cache: 'up' },
    })
    // Only states: a failure's message may name hosts, users or more.
    expect(JSON.stringify(body)).not.toContain('password')
  })

  test('GET /api/healthz stays 200 whatever is down: the process answers', async () => {
    const relay = createRelay(testConfig(), {
      ...quiet,
      readiness: [{ name: 'database', check: () => Promise.reject(new Error('down')) }],
    })
    expect((await relay.request('http://localhost:3000/api/healthz')).status).toBe(200)
    expect((await readyz(relay)).status).toBe(503)
  })
})
