import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { StoredMeasure, SyncStatus } from '../../relay/contract/stored-data'
import type { LogLine } from '../../relay/core/http/request-log'
import { createCallbackUrls } from '../../relay/core/notify/callback-url'
import { createSealer } from '../../relay/core/seal'
import { createSync, type Sync } from '../../relay/sync/create-sync'
import type { SyncDatabase } from '../../relay/sync/db/open-database'
import type { SyncEvent } from '../../relay/sync/sync-events'
import { createApiClient } from '../support/api-client'
import { connect } from '../support/login'
import { RELAY_KEY, type Stack, startStack } from '../support/stack'
import { until } from '../support/until'
import { syncBackends } from './backends'

// Sync on, end to end over HTTP: the real relay and the real emulator, the sync on PGlite and on
// Debian's Postgres. A person connects, the import fills the store in the fewest calls the data
// needs, their pages read it with no Withings call, a weighing reaches the store, a grant revoked
// at Withings marks the connection, Disconnect and delete empties the store.

const DEMO = 363

describe.each(syncBackends())('on %s, a person who connects', (_, makeDatabase) => {
  let stack: Stack
  let database: SyncDatabase
  let sync: Sync
  const events: SyncEvent[] = []
  const syncLogs: LogLine[] = []

  beforeAll(async () => {
    database = await makeDatabase()
    sync = createSync({
      database,
      relaySecrets: [RELAY_KEY],
      onEvent: (event) => void events.push(event),
      log: (line) => syncLogs.push(line),
    })
    stack = await startStack({ sync, emulator: { controlApi: true } })
  }, 60_000)

  afterAll(async () => {
    // The jobs first: they call the stack's emulator.
    await sync?.close()
    await stack?.close()
    await database?.close()
  })

  const api = () => createApiClient(stack.appUrl)
  let page: ReturnType<typeof createApiClient>

  test('is imported in the fewest calls the data needs, and their pages show progress', async () => {
    page = api()
    stack.emulator.requests.clear()
    const answer = await connect(stack, page, { scopes: ['user.metrics', 'user.activity'] })
    expect(answer.status).toBe(200)
    const first = await page.request('/api/data/status')
    expect(first.status).toBe(200)
    const status = await until(
      async () => (await (await page.request('/api/data/status')).json()) as SyncStatus,
      (value) => value.state === 'ready',
      20_000,
      250,
    )
    const counts = Object.fromEntries(
      status.sources.map((source) => [source.source, source.records]),
    )
    const data = stack.emulator.data.of(DEMO)
    expect(counts).toMatchObject({
      measures: data.measuregrps.length,
      activity: data.activities.length,
      // Withings may list a workout twice (a recorded answer does): stored once.
      workouts: new Set(data.workouts.map((workout) => workout.id)).size,
      sleep: data.sleepSummaries.length,
      heart: data.ecgs.length,
    })
    expect(status.sources.every((source) => source.state === 'done')).toBe(true)
    // The fewest calls: one range a service and its pages of 100; one call a day for the
    // intraday series of the last 7 days (Withings answers 24 h at most); the sleep states of the
    // last 7 days' periods, as few 24-hour windows as hold them.
    const pages = (items: number) => Math.max(1, Math.ceil(items / 100))
    const recent = data.sleepSummaries.filter(
      (period) => period.enddate >= Math.floor(Date.now() / 1000) - 7 * 86_400,
    )
    expect(stack.emulator.requests.counts().actions).toEqual({
      'measure/getmeas': pages(data.measuregrps.length),
      'v2/measure/getactivity': pages(data.activities.length),
      'v2/measure/getworkouts': pages(data.workouts.length),
      'v2/sleep/getsummary': pages(data.sleepSummaries.length),
      'v2/heart/list': pages(data.ecgs.length),
      'v2/measure/getintradayactivity': 7,
      'v2/sleep/get': expect.any(Number),
      'notify/list': 1,
      // Weight, blood pressure, activity, sleep (§11).
      'notify/subscribe': 4,
    })
    expect(stack.emulator.requests.count({ action: 'get' })).toBeLessThanOrEqual(recent.length)
    expect(events.some((event) => event.type === 'backfill.completed')).toBe(true)
  }, 30_000)

  test('a view reads the store: no Withings call, more than 90 days, the person’s own weight', async () => {
    stack.emulator.requests.clear()
    const from = Math.floor(Date.now() / 1000) - 200 * 86_400
    const answer = await page.request(`/api/data/measures?types=1&from=${from}`)
    expect(answer.status).toBe(200)
    const { measures } = (await answer.json()) as { measures: StoredMeasure[] }
    const latest = stack.emulator.data.latestMeasure(DEMO, 1)
    expect(measures.at(-1)).toMatchObject({ value: latest?.real, grpid: latest?.grpid, unit: 'kg' })
    expect(measures.every((measure) => measure.is_own)).toBe(true)
    expect(measures[0]?.time).toBeLessThan(Math.floor(Date.now() / 1000) - 150 * 86_400)
    const activity = await page.request('/api/data/activity?from=2000-01-01')
    expect(activity.status).toBe(200)
    expect(((await activity.json()) as { days: unknown[] }).days.length).toBe(
      stack.emulator.data.of(DEMO).activities.length,
    )
    expect(stack.emulator.requests.counts().total).toBe(0)
  })

  test('the session cookie holds no Withings token; the vault holds them sealed', async () => {
    const [name, sealed] = [...page.jar].find(([cookie]) => cookie.endsWith('wl-session')) ?? []
    const opened = await createSealer([RELAY_KEY]).unseal(name ?? '', sealed ?? '')
    expect(Object.keys(opened?.value as object).sort()).toEqual(
      ['endsAt', 'gen', 'id', 'loginAt', 'scope', 'userid', 'v'].sort(),
    )
    const row = await database.db
      .selectFrom('withings_connection')
      .selectAll()
      .where('userid', '=', DEMO)
      .executeTakeFirstOrThrow()
    expect(row.status).toBe('active')
    // The data proxy still works: it takes the tokens from the vault.
    const proxied = await page.post('/api/withings/v2/user', { action: 'getgoals' })
    expect([200, 403]).toContain(proxied.status)
  })

  test('a weighing at Withings is in the store and on the stream within a second', async () => {
    await until(
      async () => stack.emulator.notifications.subscriptions.length,
      (count) => count > 0,
    )
    const triggered = await stack.emulator.notifications.trigger({
      type: 'weighing',
      userid: DEMO,
      kg: 70.45,
    })
    const stored = await until(
      () =>
        database.db
          .selectFrom('measure')
          .selectAll()
          .where('grpid', '=', triggered.measuregrp?.grpid ?? -1)
          .execute(),
      (rows) => rows.length > 0,
      2_000,
    )
    expect(stored[0]).toMatchObject({ type: 1, value: 70.45, is_own: true })
    expect(
      events.filter(
        (event) =>
          event.type === 'measures.created' &&
          event.data.records.some((record) => record.grpid === triggered.measuregrp?.grpid),
      ),
    ).toHaveLength(1)
  }, 15_000)

  test('a notification for a person not connected is acknowledged and dropped with a log line', async () => {
    // What Withings would POST for a person whose callback URL exists but who never connected.
    const url = await createCallbackUrls(stack.appUrl, [RELAY_KEY]).urlFor('4815162')
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'userid=4815162&appli=1&startdate=1&enddate=2',
    })
    expect(answer.status).toBe(200)
    await stack.settled()
    expect(syncLogs.at(-1)).toMatchObject({
      level: 'info',
      msg: 'sync: notification for a person not connected, dropped',
      appli: 1,
    })
    const jobs = await database.db
      .selectFrom('job')
      .selectAll()
      .where('state', '=', 'ready')
      .execute()
    expect(jobs.some((job) => JSON.stringify(job.payload).includes('4815162'))).toBe(false)
  })

  test('a bed event for a grant without user.sleepevents is acknowledged, dropped, nothing stored', async () => {
    const url = await createCallbackUrls(stack.appUrl, [RELAY_KEY]).urlFor(String(DEMO))
    const answer = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `userid=${DEMO}&appli=50&date=1700000000&deviceid=abc`,
    })
    expect(answer.status).toBe(200)
    await stack.settled()
    expect(syncLogs.at(-1)).toMatchObject({
      msg: 'sync: notification of a category the grant excludes, dropped',
      appli: 50,
    })
    expect(await database.db.selectFrom('bed_event').selectAll().execute()).toEqual([])
  })

  test('the person downloads everything stored of them, as a JSON file with no token in it', async () => {
    const answer = await page.request('/api/data/export')
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-disposition')).toBe(
      `attachment; filename="withings-data-${DEMO}.json"`,
    )
    const text = await answer.text()
    const exported = JSON.parse(text)
    expect(exported).toMatchObject({ userid: DEMO, connection: { status: 'active' } })
    expect(exported.measures.length).toBeGreaterThan(
      stack.emulator.data.of(DEMO).measuregrps.length,
    )
    expect(exported.sleep.length).toBe(stack.emulator.data.of(DEMO).sleepSummaries.length)
    const row = await database.db
      .selectFrom('withings_connection')
      .select('sealed_tokens')
      .where('userid', '=', DEMO)
      .executeTakeFirstOrThrow()
    expect(text).not.toContain(row.sealed_tokens)
    expect(text).not.toMatch(/access_?token|refresh_?token/i)
  })

  test('Disconnect and delete my data: revoked, the vault row and every record gone', async () => {
    const answer = await page.post('/api/auth/logout', { delete_data: true })
    expect(answer.status).toBe(200)
    expect(await answer.json()).toEqual({ withings_informed: true })
    for (const table of [
      'withings_connection',
      'measure',
      'activity_day',
      'sleep_summary',
    ] as const) {
      const rows = await database.db
        .selectFrom(table)
        .selectAll()
        .where('userid', '=', DEMO)
        .execute()
      expect(rows, table).toEqual([])
    }
    expect(events.at(-1)).toMatchObject({
      type: 'connection.deleted',
      data: { userid: DEMO, data_deleted: true },
    })
    expect((await page.request('/api/data/status')).status).toBe(401)
  })
})
