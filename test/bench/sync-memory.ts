import pg from 'pg'
import { createCallbackUrls } from '../../relay/core/notify/callback-url'
import { startPostgres } from '../support/postgres'
import { startRedis } from '../support/redis'
import type { Builds } from './builds'
import { compared, type Figure } from './figures'
import { createHttpClient } from './http-client'
import { runCount } from './load'
import { collectGarbage, GC_ON_SIGNAL } from './memory'
import { residentBytes, type ServerProcess } from './processes'
import { relayEnv } from './servers'
import { signInAll, startSyncRelay, startWorld } from './sync-world'

// Item 15: the relay's memory with the sync on (npm start's bundle, its database a Postgres
// server and its store Redis, as several instances run it, so that what is measured is the
// relay's own: in memory, the store would keep each notification's mark for Withings' six hours
// of retries): its resident set after a full collection at start, then with `people` people
// connected and their imports done (a short history: the data lives in Postgres, the relay holds
// none of it), then after each of two blocks of `block` notifications (each a catch-up: a
// Withings call, a page stored), the queue drained. The live heap a person costs is read after
// a tenth of them connected first (the code their requests first run is not theirs). A leak
// grows the live heap; V8 keeping pages grows only the resident set.

export interface SyncMemoryOptions {
  people: number
  block: number
  concurrency: number
}

/** The relay of item 6a holds 115 MB after 10,000 refreshes; a relay of the sync's, this. */
const RSS_LIMIT_MB = 200
/** Nothing of a person is kept in memory: what a connected person costs the live heap. */
const PER_PERSON_LIMIT_KB = 1
const GROWTH_LIMIT_MB = 1
const NOTIFICATIONS_PER_SECOND = 80
/** Longer than a sign-in's subscriptions take (a list, four subscribes 5 s apart). */
const SUBSCRIPTIONS_MS = 25_000
const SECRET = relayEnv('').RELAY_SECRET as string
const QUIET = { SYNC_HISTORY_DAYS: '2', SYNC_DETAIL_DAYS: '0' }
const MB = (bytes: number) => bytes / 1_000_000

export async function syncMemoryFigures(
  builds: Builds,
  options: SyncMemoryOptions,
): Promise<Figure[]> {
  const world = await startWorld(builds, { people: options.people })
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()])
  const url = await postgres.database('memory')
  let relay: ServerProcess | undefined
  const db = new pg.Client({ connectionString: url })
  try {
    relay = await startSyncRelay(
      builds,
      world,
      { ...QUIET, DATABASE_URL: url, REDIS_URL: redis.url, WITHINGS_CALLS_PER_MINUTE: '100000' },
      GC_ON_SIGNAL,
    )
    await db.connect()
    const reading = async () => {
      const heap = await collectGarbage(relay as ServerProcess)
      return { rss: residentBytes((relay as ServerProcess).pid), heap }
    }
    const idle = await reading()
    const connect = async (people: typeof world.people) => {
      await signInAll((relay as ServerProcess).url, world, people, 16)
      await Promise.all(people.map((person) => world.receiver.completed(person.userid)))
      await drained(db)
      // Each sign-in's subscriptions to Withings' notifications go on a while (5 s between two
      // subscribes, as Withings asks): what they hold meanwhile is no one's for good.
      await new Promise((resolve) => setTimeout(resolve, SUBSCRIPTIONS_MS))
      return reading()
    }
    const tenth = Math.ceil(world.people.length / 10)
    const warm = await connect(world.people.slice(0, tenth))
    const connected = await connect(world.people.slice(tenth))
    const perPerson = (connected.heap - warm.heap) / (world.people.length - tenth) / 1000

    const urls = createCallbackUrls('', [SECRET])
    const paths = await Promise.all(
      world.people.map((person) => urls.urlFor(String(person.userid))),
    )
    const http = createHttpClient(relay.url, { connections: options.concurrency })
    let sent = 0
    // Under the callback's limit for one address (6,000 a minute: Withings' servers are few).
    let next = performance.now()
    const notifier = () => async () => {
      const index = sent++
      next = Math.max(next + 1000 / NOTIFICATIONS_PER_SECOND, performance.now())
      await new Promise((resolve) => setTimeout(resolve, next - performance.now()))
      const person = world.people[index % world.people.length]
      const answer = await http.send(paths[index % paths.length] ?? '', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          userid: String(person?.userid),
          appli: '1',
          startdate: String(1_700_000_000 + index),
          enddate: String(1_700_000_001 + index),
        }).toString(),
      })
      if (answer.status !== 200) throw new Error(`the callback answered ${answer.status}`)
    }
    const blocks = []
    for (let block = 0; block < 2; block++) {
      await runCount(
        Array.from({ length: options.concurrency }, () => notifier()),
        options.block,
      )
      await drained(db)
      blocks.push(await reading())
    }
    http.close()
    const [first, second] = blocks as [typeof idle, typeof idle]
    const count = (n: number) => n.toLocaleString('en-US')
    return [
      compared({
        id: '15a',
        name: `Relay RSS with ${count(options.people)} people connected and synced`,
        unit: 'MB',
        value: MB(connected.rss),
        reference: { name: 'the same relay at start, nobody connected', value: MB(idle.rss) },
        target: `≤ ${RSS_LIMIT_MB} MB`,
        met: MB(connected.rss) <= RSS_LIMIT_MB,
        method: `after a full collection; ${count(options.people)} sign-ins and imports (${QUIET.SYNC_HISTORY_DAYS} days each, into Postgres), the queue drained`,
      }),
      compared(
        {
          id: '15b',
          name: 'Live JS heap per connected person',
          unit: 'kB',
          value: perPerson,
          reference: { name: 'the limit', value: PER_PERSON_LIMIT_KB },
          target: `≤ ${PER_PERSON_LIMIT_KB} kB`,
          met: perPerson <= PER_PERSON_LIMIT_KB,
          method: `V8's heap in use after a full collection, with a tenth of the people connected and with all: ${MB(warm.heap).toFixed(1)} → ${MB(connected.heap).toFixed(1)} MB (at start ${MB(idle.heap).toFixed(1)} MB)`,
        },
        { ratio: false },
      ),
      compared(
        {
          id: '15c',
          name: `RSS growth, notifications ${count(options.block)} → ${count(2 * options.block)}`,
          unit: 'MB',
          value: MB(second.rss - first.rss),
          reference: {
            name: `the first ${count(options.block)}`,
            value: MB(first.rss - connected.rss),
          },
          target: `≤ ${GROWTH_LIMIT_MB} MB`,
          met: MB(second.rss - first.rss) <= GROWTH_LIMIT_MB,
          method: `RSS after a full collection with the queue drained: ${[connected, first, second].map((r) => MB(r.rss).toFixed(1)).join(', ')} MB; each notification a catch-up (a Withings call, a page stored), ${NOTIFICATIONS_PER_SECOND} a second`,
        },
        { ratio: false },
      ),
      compared(
        {
          id: '15d',
          name: `Live JS heap growth, notifications ${count(options.block)} → ${count(2 * options.block)}`,
          unit: 'MB',
          value: MB(second.heap - first.heap),
          reference: {
            name: `the first ${count(options.block)}`,
            value: MB(first.heap - connected.heap),
          },
          target: `≤ ${GROWTH_LIMIT_MB} MB`,
          met: MB(second.heap - first.heap) <= GROWTH_LIMIT_MB,
          method: `V8's heap in use after a full collection: ${[connected, first, second].map((r) => MB(r.heap).toFixed(1)).join(', ')} MB`,
        },
        { ratio: false },
      ),
    ]
  } finally {
    await db.end().catch(() => {})
    await relay?.stop()
    await Promise.all([postgres.stop(), redis.stop()])
    await world.close()
  }
}

/** Waits until no job is waiting or running but the periodic catch-up of everyone. */
async function drained(db: pg.Client) {
  for (;;) {
    const { rows } = await db.query(`select count(*)::int as n from job
      where state in ('ready', 'running') and queue <> 'catch-up-all' and run_at <= now()`)
    if (rows[0]?.n === 0) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
