import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { LogLine } from '../../relay/core/http/request-log'
import { createSync, type Sync } from '../../relay/sync/create-sync'
import type { SyncDatabase } from '../../relay/sync/db/open-database'
import { MAX_RECORDS } from '../../relay/sync/delivery/outbox'
import { JOBS_CHANNEL } from '../../relay/sync/jobs/queue'
import type { SyncEvent } from '../../relay/sync/sync-events'
import { createApiClient } from '../support/api-client'
import { connect } from '../support/login'
import { fakeClock, RELAY_KEY, type Stack, startStack } from '../support/stack'
import { pgliteDatabase, warmPglite } from '../support/sync-database'
import { until } from '../support/until'
import { type Receiver, startReceiver, webhookSecret } from '../support/webhook-receiver'

// Each stored change reaches the app's receiver as a Standard Webhooks delivery, verified there
// by the `standardwebhooks` package: the import in batches, then a weighing notified twice, told
// once; a receiver that fails (a status, a redirect, no answer) gets the same webhook-id again,
// on the retry schedule, which a moved clock makes due (the queue's clock follows the relay's).

const DEMO = 363
const secret = webhookSecret()
const clock = fakeClock()
let database: SyncDatabase
let sync: Sync
let stack: Stack
let receiver: Receiver
const logs: LogLine[] = []
const heard: SyncEvent[] = []

beforeAll(async () => {
  await warmPglite()
  receiver = await startReceiver(secret, { now: clock.now })
  database = await pgliteDatabase()
  sync = createSync({
    database,
    relaySecrets: [RELAY_KEY],
    webhook: { url: receiver.url, secrets: [secret], timeoutMs: 500 },
    onEvent: (event) => void heard.push(event),
    log: (line) => logs.push(line),
    now: clock.now,
  })
  stack = await startStack({ sync, now: clock.now })
}, 60_000)

afterAll(async () => {
  await sync?.close()
  await stack?.close()
  await database?.close()
  await receiver?.close()
})

/** Moves the clock (the queue's with it) and wakes the workers. */
async function advance(ms: number) {
  clock.advance(ms)
  await sql`select pg_notify(${JOBS_CHANNEL}, '')`.execute(database.db)
}

const keyOf = (record: Record<string, unknown>) => `${record.grpid}:${record.type}:${record.seq}`

describe('webhooks', () => {
  test('a person connects: connected, the import in batches of at most 500, each record once, then completed', async () => {
    const page = createApiClient(stack.appUrl)
    expect((await connect(stack, page)).status).toBe(200)
    await until(
      async () => receiver.accepted(),
      (got) => got.some((delivery) => delivery.type === 'backfill.completed'),
      30_000,
    )
    // Every event the outbox holds, taken (deliveries run a few at a time: in any order).
    const { rows: stored } = await sql<{ n: number }>`select count(*)::int as n
      from sync_event`.execute(database.db)
    const done = await until(
      async () => receiver.accepted(),
      (got) => got.length === stored[0]?.n,
    )
    expect(receiver.refused).toEqual([])
    const inOrder = done.toSorted((a, b) => a.at.localeCompare(b.at))
    const types = inOrder.map((delivery) => delivery.type)
    expect(types[0]).toBe('connection.created')
    expect(inOrder[0]?.data).toEqual({ userid: DEMO, scope: 'user.metrics,user.activity' })
    expect(types.at(-1)).toBe('backfill.completed')
    for (const type of [
      'measures.created',
      'activity.updated',
      'workouts.created',
      'sleep.updated',
    ]) {
      expect(types).toContain(type)
    }
    // Batches: none over 500, a measure group never split across two.
    const measures = done.filter((delivery) => delivery.type === 'measures.created')
    const groupsSeen = new Map<unknown, string>()
    for (const delivery of measures) {
      expect(delivery.data.records?.length).toBeLessThanOrEqual(MAX_RECORDS)
      for (const record of delivery.data.records ?? []) {
        const first = groupsSeen.get(record.grpid) ?? delivery.id
        expect(first).toBe(delivery.id)
        groupsSeen.set(record.grpid, first)
      }
    }
    // Each stored value exactly once, decoded, its unit named, times in ISO 8601, no raw answer.
    const sent = measures.flatMap((delivery) => delivery.data.records ?? [])
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from measure
      where userid = ${DEMO}`.execute(database.db)
    expect(sent.length).toBe(rows[0]?.n)
    expect(new Set(sent.map(keyOf)).size).toBe(sent.length)
    const weight = sent.find((record) => record.type === 1)
    expect(weight).toMatchObject({ type_name: 'Weight', unit: 'kg', userid: DEMO })
    expect(weight?.value).toBeCloseTo(Number(weight?.raw_value) * 10 ** Number(weight?.raw_unit))
    expect(weight?.measured_at).toMatch(/^\d{4}-\d\d-\d\dT/)
    const activity = done.find((delivery) => delivery.type === 'activity.updated')
    expect(activity?.data.records?.[0]).not.toHaveProperty('raw')
    // onEvent heard the same events, by the same ids.
    await until(
      async () => heard.length,
      (count) => count >= done.length,
    )
    expect(new Set(heard.map((event) => event.id))).toEqual(new Set(done.map((d) => d.id)))
  }, 40_000)

  test('a weighing Withings notifies twice is one event', async () => {
    await until(
      async () => stack.emulator.notifications.subscriptions.length,
      (count) => count >= 4,
    )
    const before = receiver.deliveries.length
    const triggered = await stack.emulator.notifications.trigger({
      type: 'weighing',
      userid: DEMO,
      kg: 71.25,
    })
    // Withings' retry of the same notification, as it sends one it thinks was lost.
    await fetch(triggered.deliveries[0]?.callbackurl ?? '', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(triggered.payload),
    })
    const grpid = triggered.measuregrp?.grpid
    const told = await until(
      async () =>
        receiver.deliveries
          .slice(before)
          .filter((delivery) => delivery.data.records?.some((record) => record.grpid === grpid)),
      (found) => found.length > 0,
    )
    await stack.settled()
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(told).toHaveLength(1)
    expect(told[0]).toMatchObject({ type: 'measures.created', data: { userid: DEMO } })
    expect(told[0]?.data.records?.[0]).toMatchObject({ value: 71.25, unit: 'kg' })
  })

  test('a receiver that fails is retried with the same webhook-id: a status, a redirect, no answer, then taken', async () => {
    const failures = [
      { answer: 'status', status: 503, body: 'the receiver says s3cr3t things' },
      { answer: 'redirect' },
      { answer: 'hang' },
    ] as const
    // A minute later: Withings' notification of this weighing is not the last one's.
    await advance(60_000)
    const before = receiver.deliveries.length
    receiver.answer(failures[0])
    const triggered = await stack.emulator.notifications.trigger({
      type: 'weighing',
      userid: DEMO,
      kg: 70.5,
    })
    const grpid = triggered.measuregrp?.grpid
    const [first] = await until(
      async () =>
        receiver.deliveries
          .slice(before)
          .filter((delivery) => delivery.data.records?.some((record) => record.grpid === grpid)),
      (got) => got.length > 0,
    )
    const attemptsOf = () => receiver.deliveries.filter((delivery) => delivery.id === first?.id)
    /** Waits until the n-th attempt is recorded at the queue (a failure waits there). */
    const failed = (attempts: number) =>
      until(
        async () =>
          (
            await sql<{ attempts: number; state: string }>`select job.attempts, job.state
              from job join sync_event on sync_event.id = (job.payload->>'event')::bigint
              where job.queue = 'webhook' and sync_event.webhook_id = ${first?.id ?? ''}`.execute(
              database.db,
            )
          ).rows[0],
        (job) => job?.state === 'ready' && job.attempts === attempts,
        5_000,
      )
    await failed(1)
    const ready = await (await fetch(`${stack.appUrl}/api/readyz`)).json()
    expect(ready).toMatchObject({ ready: true, down: [], degraded: ['webhooks'] })
    // After each failure the next attempt is due 5 s, 30 s, 2 min, 10 min later (a quarter more
    // at most): the clock moves that far, and no further.
    const waits = [5_000, 30_000, 120_000, 600_000]
    for (const [index, mode] of [...failures.slice(1), { answer: 'ok' } as const].entries()) {
      receiver.answer(mode)
      await advance(((waits[index] ?? 0) * 5) / 4 + 1_000)
      await until(
        async () => attemptsOf().length,
        (count) => count === index + 2,
      )
      if (mode.answer !== 'ok') await failed(index + 2)
    }
    await until(
      async () => receiver.accepted().some((delivery) => delivery.id === first?.id),
      (yes) => yes,
    )
    const attempts = attemptsOf()
    expect(attempts).toHaveLength(4)
    expect(new Set(attempts.map((delivery) => delivery.body)).size).toBe(1)
    expect(new Set(attempts.map((delivery) => delivery.timestamp)).size).toBe(4)
    // One line when the receiver starts failing (its status, never its answer), one when back.
    const said = logs.filter((line) => /webhook receiver/.test(String(line.msg)))
    expect(said).toEqual([
      expect.objectContaining({
        msg: 'sync: webhook receiver failing, deliveries retried',
        reason: 'status 503',
      }),
      expect.objectContaining({ msg: 'sync: webhook receiver answering again' }),
    ])
    expect(logs).toContainEqual(expect.objectContaining({ cause: 'webhook status 307' }))
    expect(logs).toContainEqual(expect.objectContaining({ cause: 'webhook timeout' }))
    expect(JSON.stringify(logs)).not.toContain('s3cr3t')
    const back = await (await fetch(`${stack.appUrl}/api/readyz`)).json()
    expect(back).toEqual({
      ready: true,
      down: [],
      checks: expect.objectContaining({ webhooks: 'up' }),
    })
  }, 30_000)

  test('Disconnect is told, and nothing was delivered twice or refused', async () => {
    const page = createApiClient(stack.appUrl)
    await connect(stack, page)
    await until(
      async () => receiver.accepted().filter((d) => d.type === 'backfill.completed').length,
      (count) => count >= 2,
      20_000,
    )
    expect((await page.post('/api/auth/logout', {})).status).toBe(200)
    const deleted = await until(
      async () => receiver.accepted().find((delivery) => delivery.type === 'connection.deleted'),
      (found) => found !== undefined,
    )
    expect(deleted?.data).toEqual({ userid: DEMO, data_deleted: false })
    expect(receiver.refused).toEqual([])
    // A second connect imports nothing new: no record is told twice.
    const records = receiver
      .accepted()
      .filter((delivery) => delivery.type === 'measures.created')
      .flatMap((delivery) => delivery.data.records ?? [])
    expect(new Set(records.map(keyOf)).size).toBe(records.length)
  }, 30_000)
})
