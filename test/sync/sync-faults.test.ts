import { sql } from 'kysely'
import { afterEach, beforeAll, describe, expect, test } from 'vitest'
import type { SyncStatus } from '../../relay/contract/stored-data'
import type { LogLine } from '../../relay/core/http/request-log'
import { createSignedClient } from '../../relay/core/withings/signed-client'
import { createSync, type Sync } from '../../relay/sync/create-sync'
import type { SyncDatabase } from '../../relay/sync/db/open-database'
import { enqueue, JOBS_CHANNEL } from '../../relay/sync/jobs/queue'
import type { SyncEvent } from '../../relay/sync/sync-events'
import { createApiClient } from '../support/api-client'
import { connect } from '../support/login'
import {
  CLIENT_ID,
  CLIENT_SECRET,
  fakeClock,
  RELAY_KEY,
  type Stack,
  startStack,
} from '../support/stack'
import { pgliteDatabase, warmPglite } from '../support/sync-database'
import { until } from '../support/until'

// What goes wrong between the sync and Withings ends in a log line and a defined outcome: a page
// Withings answers malformed is not stored and is fetched again (nothing lost, nothing doubled);
// a grant revoked at Withings marks the connection as needing the person, for the page and the
// app's backend alike.

const DEMO = 363
const running: { stack: Stack; sync: Sync; database: SyncDatabase }[] = []
beforeAll(warmPglite, 60_000)
afterEach(async () => {
  for (const { stack, sync, database } of running.splice(0)) {
    // The jobs first: they call the stack's emulator.
    await sync.close()
    await stack.close()
    await database.close()
  }
})

async function setup(now?: () => number) {
  const database = await pgliteDatabase()
  const events: SyncEvent[] = []
  const logs: LogLine[] = []
  const sync = createSync({
    database,
    relaySecrets: [RELAY_KEY],
    onEvent: (event) => void events.push(event),
    log: (line) => logs.push(line),
    ...(now && { now }),
  })
  const stack = await startStack({ sync, ...(now && { now }) })
  running.push({ stack, sync, database })
  const page = createApiClient(stack.appUrl)
  const status = async () => (await (await page.request('/api/data/status')).json()) as SyncStatus
  return { database, sync, stack, page, events, logs, status }
}

/** Makes the waiting jobs due now (the retry's backoff is 10 s and more) and wakes the workers. */
async function dueNow(database: SyncDatabase) {
  await sql`update job set run_at = now() where state = 'ready'`.execute(database.db)
  await sql`select pg_notify(${JOBS_CHANNEL}, '')`.execute(database.db)
}

describe('the vault', () => {
  test('an expired access token is refreshed once for two tabs at once, stored, and used by the jobs', async () => {
    const clock = fakeClock()
    const { database, stack, page } = await setup(clock.now)
    await connect(stack, page)
    await until(
      () => database.db.selectFrom('sync_source').select('state').execute(),
      (rows) => rows.length > 0 && rows.every((row) => row.state === 'done'),
      20_000,
    )
    const sealed = () =>
      database.db
        .selectFrom('withings_connection')
        .select('sealed_tokens')
        .where('userid', '=', DEMO)
        .executeTakeFirstOrThrow()
    const before = await sealed()
    stack.emulator.requests.clear()
    clock.advance(3 * 3_600_000 + 60_000)
    const [first, second] = await Promise.all([
      page.post('/api/auth/session'),
      page.post('/api/auth/session'),
    ])
    expect([first.status, second.status]).toEqual([200, 200])
    expect((await first.json()).expires_at).toBe((await second.json()).expires_at)
    expect(stack.emulator.requests.count({ route: 'token', grantType: 'refresh_token' })).toBe(1)
    expect((await sealed()).sealed_tokens).not.toBe(before.sealed_tokens)
    // The jobs take the stored tokens: no refresh of their own.
    await enqueue(database.db, 'catch-up', { userid: DEMO })
    await until(
      async () => stack.emulator.requests.count({ route: 'data' }),
      (calls) => calls > 0,
    )
    expect(stack.emulator.requests.count({ route: 'token', grantType: 'refresh_token' })).toBe(1)
  }, 30_000)
})

describe('bed events', () => {
  test('a bed in is stored as an event, once however often Withings sends it, and told', async () => {
    const { database, stack, page, events } = await setup()
    await connect(stack, page, { scopes: ['user.metrics', 'user.sleepevents'] })
    await until(
      async () => stack.emulator.notifications.subscriptions.length,
      (count) => count >= 5,
    )
    const triggered = await stack.emulator.notifications.trigger({ type: 'bed_in', userid: DEMO })
    // Withings' retry of the same notification.
    const url = triggered.deliveries[0]?.callbackurl ?? ''
    await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(triggered.payload),
    })
    await stack.settled()
    const stored = await until(
      () => database.db.selectFrom('bed_event').selectAll().execute(),
      (rows) => rows.length > 0,
    )
    expect(stored).toEqual([
      expect.objectContaining({
        userid: DEMO,
        appli: 50,
        kind: 'bed_in',
        at: new Date(Number(triggered.payload.date) * 1000),
      }),
    ])
    expect(events.filter((event) => event.type === 'bed.in')).toHaveLength(1)
  }, 20_000)
})

describe('faults', () => {
  test('a malformed page is not stored, is logged, and is fetched again: the import ends whole', async () => {
    const { database, stack, page, logs, status } = await setup()
    // Withings answers HTTP 200 and a body that is not JSON, until the fault is cleared.
    stack.emulator.faults.inject({ type: 'broken-json' }, { on: 'data' })
    await connect(stack, page)
    await until(
      () => Promise.resolve(logs),
      (lines) => lines.some((line) => line.msg === 'sync: job failed, to be retried'),
    )
    expect(logs.find((line) => line.msg === 'sync: job failed, to be retried')).toMatchObject({
      level: 'warn',
      cause: 'RelayError upstream_unavailable <- SyntaxError',
      attempt: 1,
    })
    stack.emulator.faults.clear()
    await dueNow(database)
    const ready = await until(status, (value) => value.state === 'ready', 20_000, 250)
    const measures = ready.sources.find((source) => source.source === 'measures')
    expect(measures?.records).toBe(stack.emulator.data.of(DEMO).measuregrps.length)
    const { rows } = await sql<{ n: number; groups: number }>`
      select count(*)::int as n, count(distinct (grpid, type, seq))::int as groups
      from measure where userid = ${DEMO}`.execute(database.db)
    expect(rows[0]?.n).toBe(rows[0]?.groups)
  }, 20_000)

  test('a grant revoked at Withings: the refresh is refused, the connection marked, the page and the backend told', async () => {
    const { database, stack, page, events, logs } = await setup()
    await connect(stack, page)
    await until(
      () => database.db.selectFrom('sync_source').select('state').execute(),
      (rows) => rows.length > 0 && rows.every((row) => row.state === 'done'),
    )
    // The person removes the app in Withings' own app: both tokens die there.
    await createSignedClient({
      fetch: globalThis.fetch as never,
      timeoutMs: 5_000,
      apiUrl: stack.emulatorUrl,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    }).revoke(String(DEMO))
    await enqueue(database.db, 'catch-up', { userid: DEMO })
    await until(
      () =>
        database.db
          .selectFrom('withings_connection')
          .select('status')
          .where('userid', '=', DEMO)
          .executeTakeFirstOrThrow(),
      (row) => row.status === 'needs_reauth',
    )
    expect(events.some((event) => event.type === 'connection.needs_reauth')).toBe(true)
    expect(logs).toContainEqual(
      expect.objectContaining({
        msg: 'sync: job dropped',
        reason: expect.stringContaining('Withings'),
      }),
    )
    // The page: no session any more (it says connect again); what was imported stays.
    expect((await page.post('/api/auth/session')).status).toBe(204)
    const kept = await database.db
      .selectFrom('measure')
      .select('grpid')
      .where('userid', '=', DEMO)
      .execute()
    expect(kept.length).toBeGreaterThan(0)
    expect((await sync(database)).state).toBe('needs_reauth')
  }, 20_000)
})

const sync = async (database: SyncDatabase) => {
  const { createQueries } = await import('../../relay/sync/queries')
  return createQueries(database.db, Date.now).status(DEMO)
}
