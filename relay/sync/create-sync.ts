import { randomUUID } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { LiveNotification } from '../contract/wire-contract'
import { categoriesOf } from '../contract/wire-contract'
import { errorKind } from '../core/error-kind'
import { jsonLogger, type Logger } from '../core/http/request-log'
import { type CipherFactory, createSealer } from '../core/seal'
import type { RelayForSync, SyncHooks, SyncPort } from '../core/sync/sync-port'
import { answerDataQuery } from './data-answers'
import type { SyncDatabase } from './db/open-database'
import type { SyncSchema } from './db/schema'
import type { SyncEvent } from './events'
import { createPersonRuns } from './jobs/person-runs'
import { enqueue } from './jobs/queue'
import { SOURCES_OF_APPLI, type SourceName, sourcesFor } from './jobs/sources'
import { createWorker, type Worker } from './jobs/worker'
import { createQueries, type SyncQueries } from './queries'
import { createTokenVault } from './vault'

// withings-link/sync: the person's Withings data in the app's own Postgres (DESIGN §14). Made
// once per process with its database; handed to the relay (`createRelay(config, { sync })`),
// which lends it the calls to Withings and the person's pages. Apps read the store with the typed
// queries, or hear each change with `onEvent`.

export interface SyncOptions {
  database: SyncDatabase
  /** The relay's RELAY_SECRET keys: the first seals the vault, every one opens it. */
  relaySecrets: readonly string[]
  /** AES-GCM for the vault (Web Crypto by default; withings-link/node passes node:crypto's). */
  cipher?: CipherFactory
  /** Days of history imported on connect. Default 365. */
  historyDays?: number
  /** Recent days of the detailed series (intraday activity, sleep states). Default 7. */
  detailDays?: number
  /** Minutes between catch-ups of everyone (all there is where Withings cannot notify). Default 360. */
  pollMinutes?: number
  /** Jobs this instance runs at once. Default 2. */
  concurrency?: number
  /** Called once per stored change (after it is stored); a failure is logged, never retried. */
  onEvent?: (event: SyncEvent) => void | Promise<void>
  log?: Logger
  /** ms since the epoch. */
  now?: () => number
}

export interface Sync extends SyncPort {
  readonly db: Kysely<SyncSchema>
  readonly queries: SyncQueries
  /** Stops the jobs of this instance (what runs is finished or left to be taken again). */
  close(): Promise<void>
}

/** How long a notification waits for the database before it is left to the next catch-up. */
const NOTIFY_RETRY_MS = 60_000

export function createSync(options: SyncOptions): Sync {
  const { database } = options
  const { db } = database
  const log = options.log ?? jsonLogger
  const now = options.now ?? Date.now
  const settings = {
    historyDays: options.historyDays ?? 365,
    detailDays: options.detailDays ?? 7,
  }
  const pollSeconds = (options.pollMinutes ?? 360) * 60
  const owner = randomUUID()
  const queries = createQueries(db, now)
  const sealer = createSealer(options.relaySecrets, now, options.cipher)
  const baseVault = createTokenVault({ db, sealer, owner, log })

  const emit = (events: readonly SyncEvent[]) => {
    for (const event of events) {
      try {
        void Promise.resolve(options.onEvent?.(event)).catch(eventFailed)
      } catch (error) {
        eventFailed(error)
      }
    }
  }
  const eventFailed = (error: unknown) =>
    log({
      level: 'error',
      msg: 'sync: onEvent failed',
      cause: errorKind(error),
    })

  const vault = {
    ...baseVault,
    async markNeedsReauth(userid: string) {
      await baseVault.markNeedsReauth(userid)
      emit([{ type: 'connection.needs_reauth', userid: Number(userid) }])
    },
  }

  let relay: RelayForSync | undefined
  let worker: Worker | undefined

  const runs = createPersonRuns({
    db,
    withings: (userid, service, params) => lent().withings(userid, service, params),
    emit,
    tell: (userid, news) => lent().tell(userid, news),
    log,
    now,
    settings,
  })
  const lent = () => {
    if (!relay) throw new Error('The sync is not attached to a relay.')
    return relay
  }

  async function startWorker() {
    worker = createWorker({
      database,
      owner,
      log,
      concurrency: options.concurrency ?? 2,
      handlers: {
        import: async (job, holding) => {
          const { userid } = job.payload as { userid: number }
          await runs.backfill(userid, holding)
        },
        'catch-up': async (job, holding) => {
          const { userid, sources } = job.payload as { userid: number; sources?: SourceName[] }
          await runs.catchUp(userid, sources, holding)
        },
        'catch-up-all': async () => {
          const people = await db
            .selectFrom('withings_connection')
            .select('userid')
            .where('status', '=', 'active')
            .execute()
          for (const { userid } of people) {
            await enqueue(db, 'catch-up', { userid }, { dedupeKey: `${userid}:all` })
          }
          await enqueue(db, 'catch-up-all', {}, { dedupeKey: 'all', delaySeconds: pollSeconds })
        },
      },
    })
    await enqueue(db, 'catch-up-all', {}, { dedupeKey: 'all', delaySeconds: pollSeconds })
    await worker.start()
  }

  /** Tries `task` while the database is away, for a minute at most. */
  async function persistently(what: string, task: () => Promise<void>) {
    const until = Date.now() + NOTIFY_RETRY_MS
    for (let wait = 250; ; wait = Math.min(wait * 2, 5_000)) {
      try {
        return await task()
      } catch (error) {
        if (Date.now() + wait > until) {
          log({
            level: 'error',
            msg: `sync: ${what} dropped, the next catch-up fetches it`,
            cause: errorKind(error),
          })
          return
        }
        await new Promise((resolve) => setTimeout(resolve, wait))
      }
    }
  }

  const hooks: SyncHooks = {
    async connected(userid, scope) {
      const id = Number(userid)
      const since = Math.floor(now() / 1000) - 300
      const sources = sourcesFor(scope)
      if (sources.length > 0) {
        await db
          .insertInto('sync_source')
          .values(
            sources.map((source) => ({ userid: id, source: source.name, synced_until: since })),
          )
          .onConflict((conflict) => conflict.columns(['userid', 'source']).doNothing())
          .execute()
      }
      await enqueue(db, 'import', { userid: id }, { dedupeKey: String(id) })
      // Connecting again: what was imported before catches up too (a new person has nothing).
      const imported = await db
        .selectFrom('sync_source')
        .select('source')
        .where('userid', '=', id)
        .where('state', '=', 'done')
        .executeTakeFirst()
      if (imported) await enqueue(db, 'catch-up', { userid: id }, { dedupeKey: `${id}:all` })
      emit([{ type: 'connection.created', userid: id }])
    },

    async notified(userid, notification) {
      await persistently('notification', () => storeNotification(Number(userid), notification))
    },

    async disconnected(userid, { deleteData }) {
      const id = Number(userid)
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('withings_connection').where('userid', '=', id).execute()
        await trx
          .deleteFrom('job')
          .where('state', '=', 'ready')
          .where('queue', 'in', ['import', 'catch-up'])
          .where(({ eb, ref }) =>
            eb(
              eb.fn('jsonb_extract_path_text', [ref('payload'), eb.val('userid')]),
              '=',
              String(id),
            ),
          )
          .execute()
        if (deleteData) {
          for (const table of PERSON_TABLES) {
            await trx.deleteFrom(table).where('userid', '=', id).execute()
          }
        }
      })
      emit([{ type: 'connection.deleted', userid: id, dataDeleted: deleteData }])
    },

    read: (userid, query) => answerDataQuery(queries, Number(userid), query),
  }

  async function storeNotification(userid: number, notification: LiveNotification) {
    const connection = await db
      .selectFrom('withings_connection')
      .select(['scope'])
      .where('userid', '=', userid)
      .executeTakeFirst()
    if (!connection) {
      log({
        level: 'info',
        msg: 'sync: notification for a person not connected, dropped',
        appli: notification.appli,
      })
      return
    }
    if (!categoriesOf(connection.scope).some((category) => category.appli === notification.appli)) {
      log({
        level: 'info',
        msg: 'sync: notification of a category the grant excludes, dropped',
        appli: notification.appli,
      })
      return
    }
    if (notification.kind === 'data') {
      const sources = SOURCES_OF_APPLI[notification.appli] ?? []
      await enqueue(
        db,
        'catch-up',
        { userid, sources },
        { dedupeKey: `${userid}:${sources.join(',')}` },
      )
      return
    }
    const [stored] = await db
      .insertInto('bed_event')
      .values({
        userid,
        appli: notification.appli,
        kind: notification.kind,
        at: new Date(notification.date * 1000),
        deviceid: null,
      })
      .onConflict((conflict) => conflict.columns(['userid', 'appli', 'at']).doNothing())
      .returningAll()
      .execute()
    if (!stored) return
    const type =
      notification.kind === 'bed_in'
        ? 'bed.in'
        : notification.kind === 'bed_out'
          ? 'bed.out'
          : 'bed.inflate_done'
    emit([{ type, userid, records: [stored] }])
    await relay?.tell(String(userid), { kinds: ['bed'] })
  }

  return {
    db,
    queries,
    vault,
    readiness: { name: 'database', check: () => sql`select 1`.execute(db) },
    attach(lentRelay) {
      relay = lentRelay
      if (!worker) {
        startWorker().catch((error: unknown) =>
          log({
            level: 'error',
            msg: 'sync: jobs not started',
            cause: errorKind(error),
          }),
        )
      }
      return hooks
    },
    async close() {
      await worker?.stop()
    },
  }
}

/** Every table holding a person's records (what "delete my data" empties). */
const PERSON_TABLES = [
  'measure',
  'activity_day',
  'workout',
  'sleep_summary',
  'sleep_segment',
  'intraday_activity',
  'heart_record',
  'device',
  'bed_event',
  'sync_source',
] as const
