import type { UserData } from '../../relay/emulator/data/seed-data'
import { startPostgres } from '../support/postgres'
import type { Builds } from './builds'
import { compared, type Figure } from './figures'
import { createHttpClient } from './http-client'
import { exchangeAtRelay, prepareRelayExchange } from './sessions'
import { median } from './stats'
import { startLocalWorld, startSyncRelay } from './sync-world'

// Item 10: one person's import (the emulator's demo person: 180 days of data in the default
// 365-day window, the default 7 days of detail series), by npm start's relay with the sync on.
// (a) The calls it makes to Withings against the fewest its data needs: a page of 100 per call
// for each service (`ceil(items / 100)`, at least one), one call a day for the intraday series
// (Withings answers 24 hours at most), and the fewest 24-hour windows that hold the recent sleep
// periods. (b) Its time, from the code exchange's answer to the webhook that says it is
// complete, on the embedded PGlite (npm start's default) against a Postgres server (Debian's, on
// loopback), in turn, each round with a new relay and a new database; Withings (the emulator)
// answers at once, so what is timed is the relay and its database.

export interface BackfillOptions {
  rounds: number
}

const CALLS_RATIO_LIMIT = 1.1
const EMBEDDED_RATIO_LIMIT = 3
const DEMO = 363
const HISTORY_DAYS = 365
const DETAIL_DAYS = 7
const DAY = 86_400
const PAGE = 100

export async function backfillFigures(builds: Builds, options: BackfillOptions): Promise<Figure[]> {
  const world = await startLocalWorld()
  const postgres = await startPostgres()
  try {
    const times = { pglite: [] as number[], postgres: [] as number[] }
    let made = 0
    for (let round = 0; round < options.rounds; round++) {
      for (const kind of ['pglite', 'postgres'] as const) {
        const env: Record<string, string> =
          kind === 'postgres' ? { DATABASE_URL: await postgres.database(`backfill${round}`) } : {}
        const relay = await startSyncRelay(builds, world, env)
        const http = createHttpClient(relay.url)
        try {
          world.receiver.forget()
          await world.clearRequests()
          const prepared = await prepareRelayExchange(http, world.emulatorUrl)
          await exchangeAtRelay(http, prepared)
          const answered = performance.now()
          const completed = await world.receiver.completed(DEMO)
          times[kind].push(completed - answered)
          made = world.emulator.requests.count({ route: 'data' })
        } finally {
          http.close()
          await relay.stop()
        }
      }
    }
    const fewest = fewestCalls(world.emulator.data.of(DEMO))
    const ms = (values: number[]) => values.map((value) => value.toFixed(0)).join(', ')
    return [
      compared({
        id: '10a',
        name: 'Backfill: Withings calls for one person-year',
        unit: 'calls',
        value: made,
        reference: { name: 'the fewest the seeded data needs', value: fewest.total },
        target: `≤ ${CALLS_RATIO_LIMIT}×`,
        met: made <= CALLS_RATIO_LIMIT * fewest.total,
        method: `the demo person's import (${HISTORY_DAYS} days, ${DETAIL_DAYS} of detail series), its data calls counted by the emulator; the fewest: ${fewest.detail}`,
      }),
      compared(
        {
          id: '10b',
          name: "One person's backfill, embedded PGlite",
          unit: 'ms',
          value: median(times.pglite),
          reference: { name: 'a Postgres server on loopback', value: median(times.postgres) },
          target: `≤ ${EMBEDDED_RATIO_LIMIT}×`,
          met: median(times.pglite) <= EMBEDDED_RATIO_LIMIT * median(times.postgres),
          method: `median of ${options.rounds} rounds each, in turn, each with a new relay and database: from the code exchange's answer to the backfill.completed webhook (${made} calls, Withings answering at once); PGlite ${ms(times.pglite)} ms, Postgres ${ms(times.postgres)} ms`,
        },
        { difference: { unit: 'ms', factor: 1 } },
      ),
    ]
  } finally {
    await postgres.stop()
    await world.close()
  }
}

/** The fewest calls a person's data needs in the import's windows, service by service. */
function fewestCalls(data: UserData) {
  const now = Math.floor(Date.now() / 1000)
  const pages = (items: number) => Math.max(1, Math.ceil(items / PAGE))
  const inWindow = (seconds: number) => seconds >= now - HISTORY_DAYS * DAY
  const recent = data.sleepSummaries
    .filter((period) => period.enddate >= now - DETAIL_DAYS * DAY)
    .toSorted((a, b) => a.startdate - b.startdate)
  // The fewest 24-hour windows holding every recent period, each whole: greedy from the first.
  let windows = 0
  let windowStart = Number.NEGATIVE_INFINITY
  for (const period of recent) {
    if (period.enddate > windowStart + DAY) {
      windows++
      windowStart = period.startdate
    }
  }
  const services = {
    getmeas: pages(data.measuregrps.filter((group) => inWindow(group.date)).length),
    'heart list': pages(data.ecgs.length),
    getactivity: pages(data.activities.length),
    getworkouts: pages(data.workouts.length),
    getsummary: pages(data.sleepSummaries.length),
    getintradayactivity: DETAIL_DAYS,
    'sleep get': windows,
  }
  const total = Object.values(services).reduce((sum, calls) => sum + calls, 0)
  const detail = Object.entries(services)
    .map(([name, calls]) => `${name} ${calls}`)
    .join(', ')
  return { total, detail }
}
