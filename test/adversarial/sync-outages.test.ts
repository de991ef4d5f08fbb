import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import type { SyncStatus } from '../../relay/contract/stored-data'
import type { PublicConfig } from '../../relay/contract/wire-contract'
import type { LogLine } from '../../relay/core/http/request-log'
import type { EmulatorSnapshot } from '../../relay/emulator/create-emulator'
import { createSeedData } from '../../relay/emulator/data/seed-data'
import { SEEDED_USERS } from '../../relay/emulator/users'
import { createSync, type Sync } from '../../relay/sync/create-sync'
import type { SyncDatabase } from '../../relay/sync/db/open-database'
import { createApiClient } from '../support/api-client'
import { killEntries, runStart } from '../support/entry-process'
import { connect, startLoginAt } from '../support/login'
import { startPostgres, type TestPostgres } from '../support/postgres'
import { RELAY_KEY, type Stack, startStack } from '../support/stack'
import { postgresDatabase } from '../support/sync-database'
import { allTold } from '../support/told-once'
import { until } from '../support/until'
import { type Receiver, startReceiver, webhookSecret } from '../support/webhook-receiver'
import { figuresFor, reportAttack } from './support/figures'

// The sync through what goes wrong for real: its Postgres server gone for 30 seconds in the
// middle of an import while Withings keeps notifying (a burst, then more), and `npm start` killed
// (kill -9) in the middle of an import. Withings is answered within its 2 seconds throughout,
// nothing is lost, nothing is stored twice, and the app's receiver is told of each change once.

const DEMO = 363

describe('the database away for 30 seconds', () => {
  let server: TestPostgres
  let database: SyncDatabase
  let sync: Sync
  let stack: Stack
  let receiver: Receiver
  const logs: LogLine[] = []
  const secret = webhookSecret()

  beforeAll(async () => {
    // Commits acknowledged are kept when the server is killed, as on any real Postgres.
    ;[server, receiver] = await Promise.all([
      startPostgres({ durableCommits: true }),
      startReceiver(secret),
    ])
    database = await postgresDatabase(server)
    sync = createSync({
      database,
      relaySecrets: [RELAY_KEY],
      webhook: { url: receiver.url, secrets: [secret] },
      log: (line) => logs.push(line),
    })
    stack = await startStack({ sync })
  }, 60_000)
  afterAll(async () => {
    await sync?.close()
    await stack?.close()
    await database?.close()
    await Promise.all([server?.stop(), receiver?.close()])
  }, 30_000)

  test('in the middle of an import and a burst of notifications: Withings answered at once, every change stored and told once', async ({
    task,
  }) => {
    const figures = figuresFor(task)
    const page = createApiClient(stack.appUrl)
    await connect(stack, page)
    const status = async (api: typeof page) =>
      (await (await api.request('/api/data/status')).json()) as SyncStatus
    await until(
      () => status(page),
      (value) => value.state === 'ready',
      60_000,
      250,
    )
    await until(
      async () => stack.emulator.notifications.subscriptions.length,
      (count) => count >= 4,
    )
    // Another person connects; each of Withings' answers takes a while, so that their import is
    // under way when the database goes.
    stack.emulator.faults.inject({ type: 'delay', ms: 250 }, { on: 'data' })
    figures.faults++
    const ada = SEEDED_USERS.find(
      (user) => user.userid === 4815162,
    ) as (typeof SEEDED_USERS)[number]
    const other = createApiClient(stack.appUrl)
    await connect(stack, other, { demo: false, email: ada.email, password: ada.password })
    const midway = await until(
      () => status(other),
      (value) => value.sources.some((source) => source.records > 0),
      20_000,
      250,
    )
    expect(midway.state).toBe('importing')

    await server.kill()
    figures.faults++
    // Readiness names what is down, so traffic goes elsewhere meanwhile.
    const down = await fetch(`${stack.appUrl}/api/readyz`)
    expect(down.status).toBe(503)
    expect((await down.json()).down).toEqual(['database'])
    // A burst of weighings at once, then one every 5 seconds, for 30 seconds.
    const weighings = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        stack.emulator.notifications.trigger({ type: 'weighing', userid: DEMO, kg: 70 + i / 10 }),
      ),
    )
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5_000))
      weighings.push(
        await stack.emulator.notifications.trigger({ type: 'weighing', userid: DEMO, kg: 71 + i }),
      )
    }
    const answers = weighings.flatMap(({ deliveries }) =>
      deliveries.flatMap((delivery) => delivery.attempts),
    )
    expect(answers.every((answer) => answer.httpStatus === 200)).toBe(true)
    const slowest = Math.max(...answers.map((answer) => answer.durationMs))
    expect(slowest).toBeLessThan(2_000)
    await server.restart()
    stack.emulator.faults.clear()
    await until(
      async () => (await fetch(`${stack.appUrl}/api/readyz`)).status,
      (code) => code === 200,
      20_000,
      250,
    )

    // Every weighing stored once; the import ended whole; the receiver told of each change once.
    const grpids = weighings.map((weighing) => weighing.measuregrp?.grpid ?? -1)
    const stored = await until(
      () =>
        database.db
          .selectFrom('measure')
          .select(['grpid', 'value'])
          .where('grpid', 'in', grpids)
          .where('type', '=', 1)
          .execute(),
      (rows) => rows.length === grpids.length,
      60_000,
    )
    expect(new Set(stored.map((row) => row.grpid)).size).toBe(grpids.length)
    const ended = await until(
      () => status(other),
      (value) => value.state === 'ready',
      60_000,
      250,
    )
    expect(ended.sources.find((source) => source.source === 'measures')?.records).toBe(
      stack.emulator.data.of(ada.userid).measuregrps.length,
    )
    const outcome = await allTold(receiver, database.db, 30_000)
    expect(receiver.refused).toEqual([])
    expect(outcome).toMatchObject({ lost: 0, doubled: 0 })
    const toldGroups = receiver
      .accepted()
      .flatMap((delivery) => delivery.data.records ?? [])
      .filter((record) => grpids.includes(Number(record.grpid)) && record.type === 1)
    expect(toldGroups).toHaveLength(grpids.length)
    const messages = logs.map((line) => line.msg)
    expect(messages).toContain('sync: database unreachable, jobs wait')
    expect(messages).toContain('sync: database reachable again')
    reportAttack(task, 'Postgres stopped for 30 s during an import and a burst of notifications', {
      notifications: weighings.length,
      'slowest answer to Withings (ms)': slowest,
      'weighings stored': stored.length,
      'events told': outcome.delivered,
      'told again (same id)': outcome.retried,
      lost: outcome.lost,
      doubled: outcome.doubled,
      readyz: 'database down, then up',
    })
  }, 150_000)
})

describe('npm start killed (kill -9) in the middle of an import', () => {
  afterEach(killEntries)

  test('the next start resumes at the next page: nothing missing, nothing twice, nothing fetched again', async () => {
    // A budget so small that the import stops half-way, waiting for it.
    const first = runStart({ env: { WITHINGS_CALLS_PER_MINUTE: '10' } })
    const url = await first.url()
    const api = createApiClient(url)
    const config = (await (await api.request('/api/config')).json()) as PublicConfig
    expect((await api.post('/api/auth/token', (await startLoginAt(api, config)).body)).status).toBe(
      200,
    )
    const halfway = await until(
      async () => (await (await api.request('/api/data/status')).json()) as SyncStatus,
      (status) =>
        status.sources.some((source) => source.state === 'done') &&
        status.sources.some((source) => source.state !== 'done'),
      60_000,
      250,
    )
    expect(halfway.state).toBe('importing')
    // The whole process group: tsx runs the entry in a child of its own.
    process.kill(-(first.child.pid ?? 0), 'SIGKILL')
    await first.exited

    const second = runStart({ env: {}, cwd: first.cwd })
    const again = await second.url()
    const back = createApiClient(again)
    for (const [name, value] of api.jar) back.jar.set(name, value)
    // A job the budget had postponed runs when its time comes (a minute at most).
    const ready = await until(
      async () => (await (await back.request('/api/data/status')).json()) as SyncStatus,
      (status) => status.state === 'ready',
      90_000,
      250,
    )

    // Every record the emulator holds for the person, once.
    const kept = JSON.parse(
      readFileSync(join(first.cwd, '.data/emulator.json'), 'utf8'),
    ) as EmulatorSnapshot
    const data = createSeedData({ users: SEEDED_USERS, createdAt: kept.createdAt }).of(DEMO)
    const records = Object.fromEntries(
      ready.sources.map((source) => [source.source, source.records]),
    )
    expect(records).toMatchObject({
      measures: data.measuregrps.length,
      heart: data.ecgs.length,
      activity: data.activities.length,
      // Withings may list a workout twice (a recorded answer does): stored once.
      workouts: new Set(data.workouts.map((workout) => workout.id)).size,
      sleep: data.sleepSummaries.length,
    })
    // What was imported before the kill was not asked for again.
    const { authorize_url } = (await (await back.request('/api/config')).json()) as PublicConfig
    const asked = await (await fetch(`${new URL(authorize_url).origin}/_emulator/requests`)).json()
    const done = halfway.sources.filter((source) => source.state === 'done').map((s) => s.source)
    const SERVICE: Record<string, string> = {
      measures: 'measure/getmeas',
      heart: 'v2/heart/list',
      activity: 'v2/measure/getactivity',
      workouts: 'v2/measure/getworkouts',
      sleep: 'v2/sleep/getsummary',
    }
    for (const source of done) {
      if (SERVICE[source]) expect(asked.actions[SERVICE[source] as string], source).toBeUndefined()
    }
  }, 150_000)
})
