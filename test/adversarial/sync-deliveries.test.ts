import { sql } from 'kysely'
import { afterEach, beforeAll, describe, expect, test } from 'vitest'
import type { SyncStatus } from '../../relay/contract/stored-data'
import type { LogLine } from '../../relay/core/http/request-log'
import type { SharedStore } from '../../relay/core/store/shared-store'
import type { Triggered } from '../../relay/emulator/notify/events'
import { createRedisStore } from '../../relay/node/redis-store'
import { createSync, type Sync } from '../../relay/sync/create-sync'
import type { SyncDatabase } from '../../relay/sync/db/open-database'
import { JOBS_CHANNEL, shiftedTime } from '../../relay/sync/jobs/queue'
import { createApiClient } from '../support/api-client'
import { connect } from '../support/login'
import { startRedis, type TestRedis } from '../support/redis'
import { fakeClock, RELAY_KEY, type Stack, startStack } from '../support/stack'
import { pgliteDatabase, warmPglite } from '../support/sync-database'
import { allTold } from '../support/told-once'
import { until } from '../support/until'
import { type Receiver, startReceiver, webhookSecret } from '../support/webhook-receiver'
import { figuresFor, reportAttack } from './support/figures'

// What goes wrong around the sync's deliveries, each fault on its own, every change told to the
// app's receiver once all the same, Withings answered within its 2 seconds, and the fault in the
// logs and in GET /api/readyz: the receiver down for ten minutes (of a moved clock: the queue's
// clock follows the relay's), Withings answering 601, 5xx and malformed pages in the middle of an
// import, and Redis stopped while Withings notifies.

const DEMO = 363
const secret = webhookSecret()
const open: { sync: Sync; stack: Stack; database: SyncDatabase; receiver: Receiver }[] = []
const stores: SharedStore[] = []
let redis: TestRedis | undefined

beforeAll(warmPglite, 60_000)
afterEach(async () => {
  for (const { sync, stack, database, receiver } of open.splice(0)) {
    await sync.close()
    await stack.close()
    await database.close()
    await receiver.close()
  }
  for (const store of stores.splice(0)) await store.close()
  await redis?.stop()
  redis = undefined
})

async function setup({
  clock,
  store,
}: {
  clock?: ReturnType<typeof fakeClock>
  store?: SharedStore
}) {
  const now = clock?.now
  const receiver = await startReceiver(secret, { ...(now && { now }) })
  const database = await pgliteDatabase()
  const logs: LogLine[] = []
  const sync = createSync({
    database,
    relaySecrets: [RELAY_KEY],
    webhook: { url: receiver.url, secrets: [secret], timeoutMs: 1_000 },
    log: (line) => logs.push(line),
    ...(now && { now }),
  })
  const stack = await startStack({ sync, ...(now && { now }), ...(store && { store }) })
  open.push({ sync, stack, database, receiver })
  const page = createApiClient(stack.appUrl)
  const status = async () => (await (await page.request('/api/data/status')).json()) as SyncStatus
  const readyz = async () => {
    const answer = await fetch(`${stack.appUrl}/api/readyz`)
    return { status: answer.status, ...(await answer.json()) }
  }
  /** Moves the clock on by `ms`, then waits until no job is running and none is due. */
  const advance = async (ms: number) => {
    clock?.advance(ms)
    await sql`select pg_notify(${JOBS_CHANNEL}, '')`.execute(database.db)
    const time = shiftedTime(clock?.now ?? Date.now)
    await until(
      async () =>
        (
          await sql<{ n: number }>`select count(*)::int as n from job where state = 'running'
            or (state = 'ready' and run_at <= ${time()} and queue <> 'catch-up-all')`.execute(
            database.db,
          )
        ).rows[0]?.n,
      (busy) => busy === 0,
      15_000,
      25,
    )
  }
  return { receiver, database, logs, sync, stack, page, status, readyz, advance }
}

/** The slowest answer the relay gave Withings' notifications (ms). */
const slowestAnswer = (triggered: readonly Triggered[]) =>
  Math.max(
    0,
    ...triggered.flatMap(({ deliveries }) =>
      deliveries.flatMap((delivery) => delivery.attempts.map((attempt) => attempt.durationMs)),
    ),
  )

describe('faults around the deliveries', () => {
  test('the receiver down for ten minutes: every change told once it is back, with the same ids', async ({
    task,
  }) => {
    const figures = figuresFor(task)
    const clock = fakeClock()
    const { receiver, database, logs, stack, page, status, readyz, advance } = await setup({
      clock,
    })
    await receiver.down()
    figures.faults++
    await connect(stack, page)
    await until(status, (value) => value.state === 'ready', 30_000, 250)
    await until(
      async () => stack.emulator.notifications.subscriptions.length,
      (count) => count >= 4,
    )
    const weighings: Triggered[] = []
    for (let i = 0; i < 3; i++) {
      await advance(2_000)
      weighings.push(
        await stack.emulator.notifications.trigger({ type: 'weighing', userid: DEMO, kg: 70 + i }),
      )
    }
    expect(await readyz()).toMatchObject({ status: 200, ready: true, degraded: ['webhooks'] })
    // Ten minutes of the relay's clock pass, half a minute at a time, the receiver down.
    for (let elapsed = 0; elapsed < 600_000; elapsed += 30_000) await advance(30_000)
    const failedAttempts = logs.filter((line) => line.cause === 'webhook unreachable').length
    await receiver.up()
    // The next attempts come on their schedule (at most 12.5 minutes after the last).
    for (let elapsed = 0; elapsed < 1_200_000; elapsed += 30_000) await advance(30_000)
    const outcome = await allTold(receiver, database.db)
    expect(receiver.refused).toEqual([])
    expect(outcome).toMatchObject({ lost: 0, doubled: 0, retried: 0 })
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from measure
      where userid = ${DEMO}`.execute(database.db)
    const toldMeasures = receiver
      .accepted()
      .filter((delivery) => delivery.type === 'measures.created')
      .flatMap((delivery) => delivery.data.records ?? [])
    expect(toldMeasures).toHaveLength(rows[0]?.n ?? -1)
    const said = logs.filter((line) => /webhook receiver/.test(String(line.msg)))
    expect(said.map((line) => line.msg)).toEqual([
      'sync: webhook receiver failing, deliveries retried',
      'sync: webhook receiver answering again',
    ])
    expect(said[0]).toMatchObject({ reason: 'unreachable' })
    expect((await readyz()).degraded).toBeUndefined()
    expect(JSON.stringify(logs)).not.toContain(secret)
    expect(JSON.stringify(logs)).not.toContain(receiver.url)
    const slowest = slowestAnswer(weighings)
    expect(slowest).toBeLessThan(2_000)
    reportAttack(task, 'webhook receiver down for 10 minutes (moved clock)', {
      'events told': outcome.delivered,
      'failed attempts while down': failedAttempts,
      lost: outcome.lost,
      doubled: outcome.doubled,
      'slowest answer to Withings (ms)': slowest,
      readyz: 'degraded: webhooks, then clear',
    })
  }, 90_000)

  test('Withings answering 601, 5xx and malformed pages in the middle of an import: it ends whole, each change told once', async ({
    task,
  }) => {
    const figures = figuresFor(task)
    const clock = fakeClock()
    const { receiver, database, logs, stack, page, status, readyz, advance } = await setup({
      clock,
    })
    const faults = [
      { type: 'status', status: 601 },
      { type: 'http', status: 503 },
      { type: 'broken-json' },
      { type: 'http', status: 502 },
      { type: 'truncated' },
      { type: 'status', status: 601 },
    ] as const
    // One after another, each on the next call to a data service, a few pages in.
    stack.emulator.faults.inject({ type: 'delay', ms: 1 }, { on: 'data', times: 3 })
    for (const fault of faults) stack.emulator.faults.inject(fault, { on: 'data', times: 1 })
    figures.faults += faults.length
    await connect(stack, page)
    await until(
      () => readyz(),
      (answer) => answer.degraded?.includes('withings') === true,
    )
    expect(await readyz()).toMatchObject({ status: 200, ready: true })
    // Each refusal postpones the import (601 by its wait_seconds, a failure by 10 s, 20 s…).
    for (let step = 0; step < 40 && (await status()).state !== 'ready'; step++) {
      await advance(15_000)
    }
    expect((await status()).state).toBe('ready')
    const outcome = await allTold(receiver, database.db)
    expect(receiver.refused).toEqual([])
    expect(outcome).toMatchObject({ lost: 0, doubled: 0 })
    const data = stack.emulator.data.of(DEMO)
    const counts = Object.fromEntries(
      (await status()).sources.map((source) => [source.source, source.records]),
    )
    expect(counts).toMatchObject({
      measures: data.measuregrps.length,
      activity: data.activities.length,
      sleep: data.sleepSummaries.length,
    })
    const toldDays = receiver
      .accepted()
      .filter((delivery) => delivery.type === 'activity.updated')
      .flatMap((delivery) => delivery.data.records ?? [])
    expect(toldDays).toHaveLength(data.activities.length)
    const said = logs.filter((line) => /Withings (failing|answering)/.test(String(line.msg)))
    expect(said[0]).toMatchObject({ msg: 'sync: Withings failing, jobs retried' })
    expect(said.at(-1)).toMatchObject({ msg: 'sync: Withings answering again' })
    expect((await readyz()).degraded).toBeUndefined()
    reportAttack(task, "Withings' 601, 5xx and malformed pages during an import", {
      faults: faults.length,
      'events told': outcome.delivered,
      lost: outcome.lost,
      doubled: outcome.doubled,
      'logged failing/back': said.length,
      readyz: 'degraded: withings, then clear',
    })
  }, 90_000)

  test('Redis stopped while Withings notifies: answered at once, a repeat fetched and told once, readiness names it', async ({
    task,
  }) => {
    const figures = figuresFor(task)
    redis = await startRedis()
    const store = createRedisStore({ url: redis.url, onError: () => {} })
    stores.push(store)
    const { receiver, database, stack, page, status, readyz } = await setup({ store })
    await connect(stack, page)
    await until(status, (value) => value.state === 'ready', 30_000, 250)
    await until(
      async () => stack.emulator.notifications.subscriptions.length,
      (count) => count >= 4,
    )
    await redis.stop()
    figures.faults++
    expect(await readyz()).toMatchObject({ status: 503, down: ['redis'] })
    const triggered = await stack.emulator.notifications.trigger({
      type: 'weighing',
      userid: DEMO,
      kg: 68.4,
    })
    // Withings' retry of it: without the shared store, the relay cannot tell it is one.
    const again = await fetch(triggered.deliveries[0]?.callbackurl ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(triggered.payload),
    })
    expect(again.status).toBe(200)
    const grpid = triggered.measuregrp?.grpid ?? -1
    await until(
      () => database.db.selectFrom('measure').select('grpid').where('grpid', '=', grpid).execute(),
      (rows) => rows.length > 0,
    )
    await stack.settled()
    const outcome = await allTold(receiver, database.db)
    expect(outcome).toMatchObject({ lost: 0, doubled: 0 })
    const toldIt = receiver
      .accepted()
      .filter((delivery) => delivery.data.records?.some((record) => record.grpid === grpid))
    expect(toldIt).toHaveLength(1)
    expect(stack.logs).toContainEqual(
      expect.objectContaining({ msg: 'notification not deduplicated' }),
    )
    await redis.restart()
    await until(readyz, (answer) => answer.status === 200, 10_000, 250)
    const slowest = slowestAnswer([triggered])
    expect(slowest).toBeLessThan(2_000)
    reportAttack(task, 'Redis stopped while Withings notifies', {
      'events told': outcome.delivered,
      lost: outcome.lost,
      doubled: outcome.doubled,
      'slowest answer to Withings (ms)': slowest,
      readyz: 'redis down, then up',
    })
  }, 60_000)
})
