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
import { until } from '../support/until'

// The sync through what goes wrong for real: its Postgres server gone for 30 seconds while
// Withings keeps notifying, and `npm start` killed (kill -9) in the middle of an import. Withings
// is answered within its 2 seconds throughout, nothing is lost, nothing is stored twice.

const DEMO = 363

describe('the database away for 30 seconds', () => {
  let server: TestPostgres
  let database: SyncDatabase
  let sync: Sync
  let stack: Stack
  const logs: LogLine[] = []

  beforeAll(async () => {
    server = await startPostgres()
    database = await postgresDatabase(server)
    sync = createSync({ database, relaySecrets: [RELAY_KEY], log: (line) => logs.push(line) })
    stack = await startStack({ sync })
  }, 60_000)
  afterAll(async () => {
    await sync?.close()
    await stack?.close()
    await database?.close()
    await server?.stop()
  }, 30_000)

  test('Withings is answered at once, and every weighing of the outage is stored once after it', async () => {
    const page = createApiClient(stack.appUrl)
    await connect(stack, page)
    await until(
      async () => (await (await page.request('/api/data/status')).json()) as SyncStatus,
      (status) => status.state === 'ready',
      60_000,
      250,
    )
    await until(
      async () => stack.emulator.notifications.subscriptions.length,
      (count) => count >= 4,
    )

    await server.kill()
    // Readiness names what is down, so traffic goes elsewhere meanwhile.
    const down = await fetch(`${stack.appUrl}/api/readyz`)
    expect(down.status).toBe(503)
    expect((await down.json()).down).toEqual(['database'])
    const weighings = []
    for (let i = 0; i < 6; i++) {
      weighings.push(
        await stack.emulator.notifications.trigger({ type: 'weighing', userid: DEMO, kg: 70 + i }),
      )
      await new Promise((resolve) => setTimeout(resolve, 5_000))
    }
    for (const { deliveries } of weighings) {
      const [first] = deliveries[0]?.attempts ?? []
      expect(first).toMatchObject({ outcome: 'delivered', httpStatus: 200 })
      expect(first?.durationMs).toBeLessThan(2_000)
    }
    await server.restart()
    await until(
      async () => (await fetch(`${stack.appUrl}/api/readyz`)).status,
      (status) => status === 200,
      20_000,
      250,
    )

    const grpids = weighings.map((weighing) => weighing.measuregrp?.grpid ?? -1)
    const stored = await until(
      () =>
        database.db
          .selectFrom('measure')
          .select(['grpid', 'value'])
          .where('grpid', 'in', grpids)
          .execute(),
      (rows) => rows.length === grpids.length,
    )
    expect(stored.map((row) => row.value).sort()).toEqual([70, 71, 72, 73, 74, 75])
    const messages = logs.map((line) => line.msg)
    expect(messages).toContain('sync: database unreachable, jobs wait')
    expect(messages).toContain('sync: database reachable again')
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
