import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { PublicConfig } from '../../relay/contract/wire-contract'
import { createCallbackUrls } from '../../relay/core/notify/callback-url'
import { createEmulator, type Emulator } from '../../relay/emulator/emulator'
import { SEEDED_USERS } from '../../relay/emulator/users'
import { type Listening, listen } from '../../relay/node/listen'
import type { SyncDatabase } from '../../relay/sync/db/open-database'
import { openSyncDatabase } from '../../relay/sync/db/open-database'
import { type ApiClient, createApiClient } from '../support/api-client'
import { type Entry, killEntries, runStart } from '../support/entry-process'
import { freePort } from '../support/free-port'
import { openLiveStream } from '../support/live-stream'
import { startLoginAt } from '../support/login'
import { startPostgres, type TestPostgres } from '../support/postgres'
import { startRedis, type TestRedis } from '../support/redis'
import { testKey } from '../support/relay-config'
import { until } from '../support/until'
import { type Receiver, startReceiver, webhookSecret } from '../support/webhook-receiver'

// Two relay instances as production runs them — `npm start`'s entry, two processes — sharing
// Debian's Postgres and Redis, one Withings (the emulator) and one webhook receiver. People
// connect on either; a weighing Withings notifies to instance A is fetched once, told once, and
// reaches the person's page open on instance B; the instance running an import is killed
// (SIGKILL) in the middle of it, and the other finishes it: the receiver gets every change once.

const CLIENT = { id: 'two-instances', secret: 'two-instances-client-secret-0123456789' }
const ORIGIN = 'https://app.example.com'
const RELAY_SECRET = testKey('two-instances')
const secret = webhookSecret()
const PEOPLE = SEEDED_USERS.filter((user) => !user.account).slice(0, 3)

let postgres: TestPostgres
let redis: TestRedis
let emulator: Emulator
let withings: Listening
let receiver: Receiver
let database: SyncDatabase
const instances: { entry: Entry; url: string; worker: string }[] = []

beforeAll(async () => {
  ;[postgres, redis, receiver] = await Promise.all([
    startPostgres(),
    startRedis(),
    startReceiver(secret),
  ])
  emulator = createEmulator({
    clients: [
      { clientId: CLIENT.id, clientSecret: CLIENT.secret, callbacks: [`${ORIGIN}/callback`] },
    ],
    requestsPerMinute: 100_000,
  })
  withings = await listen(emulator.fetch)
  const url = await postgres.database('instances')
  const ports = [await freePort(), await freePort()]
  const started = ports.map((port) =>
    runStart({
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        WITHINGS_CLIENT_ID: CLIENT.id,
        WITHINGS_CLIENT_SECRET: CLIENT.secret,
        WITHINGS_REDIRECT_URI: `${ORIGIN}/callback`,
        WITHINGS_API_URL: withings.url,
        WITHINGS_AUTHORIZE_URL: `${withings.url}/oauth2_user/authorize2`,
        // Withings notifies instance A.
        NOTIFY_CALLBACK_BASE_URL: `http://127.0.0.1:${ports[0]}`,
        RELAY_SECRET,
        RATE_LIMIT_PER_MINUTE: '10000',
        WITHINGS_CALLS_PER_MINUTE: '10000',
        DATABASE_URL: url,
        REDIS_URL: redis.url,
        WEBHOOK_URL: receiver.url,
        WEBHOOK_SECRET: secret,
      },
    }),
  )
  for (const entry of started) {
    const worker = (await entry.waitFor(/"msg":"sync: jobs started","worker":"([^"]+)"/))[1] ?? ''
    instances.push({ entry, url: await entry.url(), worker })
  }
  database = await openSyncDatabase({ url, poolSize: 2 })
}, 90_000)

afterAll(async () => {
  killEntries()
  await database?.close()
  await Promise.all([withings?.close(), receiver?.close(), redis?.stop(), postgres?.stop()])
})

async function connectAt(base: string, person: (typeof PEOPLE)[number]): Promise<ApiClient> {
  const api = createApiClient(base, { origin: ORIGIN })
  const config = (await (await api.request('/api/config')).json()) as PublicConfig
  const { body } = await startLoginAt(api, config, {
    demo: person.demo,
    email: person.email,
    password: person.password,
  })
  const answer = await api.post('/api/auth/token', body)
  expect(answer.status).toBe(200)
  return api
}

/** Whether the imports of these people are all done (their sources listed, each done). */
const imported = async (people: readonly { userid: number }[]) => {
  const { rows } = await sql<{ userid: number; left: number }>`select userid,
      count(*) filter (where state <> 'done')::int as left
    from sync_source where userid = any(${people.map((person) => person.userid)}::bigint[])
    group by userid`.execute(database.db)
  return rows.length === people.length && rows.every((row) => row.left === 0)
}

describe('two instances sharing Postgres and Redis', () => {
  test("a notification to A is fetched once and told once; B's open page hears it", async () => {
    const [a, b] = instances
    const page = await connectAt(a?.url ?? '', PEOPLE[0] as (typeof PEOPLE)[number])
    await until(
      () => imported(PEOPLE.slice(0, 1)),
      (done) => done,
      30_000,
    )
    const stream = await openLiveStream(page, { base: b?.url })
    expect(stream.status).toBe(200)
    emulator.requests.clear()
    const triggered = await emulator.notifications.trigger({
      type: 'weighing',
      userid: 363,
      kg: 69.95,
    })
    // What Withings posts to A (it may have, if its subscription is made by now), then again to
    // B, as it retries one it took for lost behind a load balancer.
    const urls = createCallbackUrls(`http://127.0.0.1:${new URL(a?.url ?? '').port}`, [
      RELAY_SECRET,
    ])
    const path = new URL(await urls.urlFor('363')).pathname
    for (const instance of [a, b]) {
      const answer = await fetch(`${instance?.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(triggered.payload),
      })
      expect(answer.status).toBe(200)
    }
    const stored = await stream.next((frame) => frame.event === 'stored', 10_000)
    expect(JSON.parse(stored.data)).toMatchObject({ kinds: ['measures'] })
    const grpid = triggered.measuregrp?.grpid
    const told = () =>
      receiver
        .accepted()
        .filter((delivery) => delivery.data.records?.some((record) => record.grpid === grpid))
    await until(
      async () => told().length,
      (count) => count > 0,
    )
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect(told()).toHaveLength(1)
    expect(emulator.requests.count({ action: 'getmeas' })).toBe(1)
    stream.close()
  }, 60_000)

  test('the instance running an import is killed (SIGKILL): the other finishes it, every change told once', async () => {
    // Each call to Withings takes a while, so that the imports are under way at the kill.
    emulator.faults.inject({ type: 'delay', ms: 150 }, { on: 'data' })
    const [a, b] = instances
    await connectAt(a?.url ?? '', PEOPLE[1] as (typeof PEOPLE)[number])
    await connectAt(b?.url ?? '', PEOPLE[2] as (typeof PEOPLE)[number])
    const running = await until(
      async () =>
        (
          await sql<{ locked_by: string }>`select locked_by from job
            where queue = 'import' and state = 'running'`.execute(database.db)
        ).rows,
      (rows) => rows.length > 0,
      20_000,
    )
    const victim = instances.find((instance) => instance.worker === running[0]?.locked_by)
    const survivor = victim === a ? b : a
    expect(victim).toBeDefined()
    process.kill(-(victim?.entry.child.pid ?? 0), 'SIGKILL')
    await victim?.entry.exited
    emulator.faults.clear()

    // The survivor takes the import back once the dead one's lease lapses (15 s), and ends it
    // (some 20 s here; far more allowed for a loaded machine, with what stood still if not).
    await until(
      () => imported(PEOPLE),
      (done) => done,
      120_000,
      500,
    ).catch(async (error: unknown) => {
      const { rows: jobs } = await sql`select queue, state, attempts, locked_by, locked_until,
        run_at, last_error from job where state <> 'done'`.execute(database.db)
      const { rows: sources } = await sql`select userid, source, state
        from sync_source where state <> 'done'`.execute(database.db)
      const said = (survivor?.entry.output().stdout ?? '')
        .split('\n')
        .filter((line) => line.includes('"msg":"sync'))
        .slice(-20)
      throw new Error(
        `${String(error)}: ${JSON.stringify({ now: new Date(), jobs, sources, said }, null, 1)}`,
      )
    })
    const { rows: events } = await sql<{ n: number }>`select count(*)::int as n
      from sync_event`.execute(database.db)
    await until(
      async () => receiver.accepted().length,
      (count) => count === events[0]?.n,
      20_000,
    )
    expect(receiver.refused).toEqual([])
    // Every stored value told once (a retry of one delivery keeps its webhook-id: not twice).
    for (const person of PEOPLE) {
      const sent = receiver
        .accepted()
        .filter((d) => d.type === 'measures.created' && d.data.userid === person.userid)
        .flatMap((delivery) => delivery.data.records ?? [])
      const keys = sent.map((record) => `${record.grpid}:${record.type}:${record.seq}`)
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from measure
        where userid = ${person.userid}`.execute(database.db)
      expect(new Set(keys).size, String(person.userid)).toBe(keys.length)
      expect(keys.length, String(person.userid)).toBe(rows[0]?.n)
      const days = receiver
        .accepted()
        .filter((d) => d.type === 'activity.updated' && d.data.userid === person.userid)
        .flatMap((delivery) => delivery.data.records ?? [])
        .map((record) => record.date)
      expect(new Set(days).size).toBe(days.length)
      expect(days.length, String(person.userid)).toBe(
        emulator.data.of(person.userid).activities.length,
      )
      const completed = receiver
        .accepted()
        .filter((d) => d.type === 'backfill.completed' && d.data.userid === person.userid)
      expect(completed).toHaveLength(1)
    }
    // It was the survivor that took the import back.
    expect(survivor?.entry.output().stdout).toMatch(
      /"msg":"sync: jobs of a stopped worker taken back"/,
    )
    // The survivor serves on.
    expect((await fetch(`${survivor?.url}/api/readyz`)).status).toBe(200)
  }, 180_000)
})
