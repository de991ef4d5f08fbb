import { randomUUID } from 'node:crypto'
import { type Kysely, sql } from 'kysely'
import type { DataAppli, LiveNotification } from '../contract/wire-contract'
import { categoriesOf } from '../contract/wire-contract'
import { errorKind } from '../core/error-kind'
import { jsonLogger, type Logger } from '../core/http/request-log'
import { type CipherFactory, createSealer } from '../core/seal'
import type { RelayForSync, SyncHooks, SyncPort } from '../core/sync/sync-port'
import { webhookProblems } from '../core/webhook-settings'
import { answerDataQuery } from './data-answers'
import type { SyncDatabase } from './db/open-database'
import type { SyncSchema } from './db/schema'
import { type Consumer, createOutbox, type Made } from './delivery/outbox'
import {
  eventOf,
  hookDelivery,
  WEBHOOK_RETRY_SECONDS,
  type WebhookOptions,
  webhookDelivery,
} from './delivery/webhook-deliveries'
import { createHealth } from './health'
import { createPersonRuns } from './jobs/person-runs'
import { databaseTime, enqueue, enqueueMany, shiftedTime } from './jobs/queue'
import { SOURCES_OF_APPLI, type SourceName, sourcesFor } from './jobs/sources'
import { createWorker, type JobHandler, type Worker } from './jobs/worker'
import { createWriteBatch } from './jobs/write-batch'
import { createQueries, type SyncQueries } from './queries'
import type { SyncEvent } from './sync-events'
import { createTokenVault } from './vault'

// withings-link/sync: the person's Withings data in the app's own Postgres (DESIGN §14). Made
// once per process with its database; handed to the relay (`createRelay(config, { sync })`),
// which lends it the calls to Withings and the person's pages. Apps read the store with the typed
// queries, and hear each change as a signed webhook or through `onEvent` (both from the outbox).

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
  /** Imports this instance runs at once (catch-ups and deliveries have lanes of their own). Default 2. */
  concurrency?: number
  /**
   * Called at least once per stored change, with the event a webhook would carry (its `id` the
   * same every time); a throw (or a rejection) calls it again later, with backoff.
   */
  onEvent?: (event: SyncEvent) => void | Promise<void>
  /** Each stored change POSTed to the app's receiver, signed (Standard Webhooks; docs/webhooks.md). */
  webhook?: WebhookOptions
  log?: Logger
  /** ms since the epoch; a clock moved ahead moves the jobs' clock with it (tests). */
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
/**
 * A notification runs its catch-up at once, unless one for the same person and category is
 * running: then the next waits this long, so that the rest of a burst (Withings sends a thousand
 * notifications in a second when it catches up) collapses into it. One catch-up for each person
 * and category rather than one each: fewer calls to Withings, and a callback that keeps
 * answering.
 */
const BURST_CATCH_UP_DELAY_SECONDS = 0.5
/** Catch-ups and deliveries this instance runs at once, each. */
const CATCH_UPS_AT_ONCE = 2
const DELIVERIES_AT_ONCE = 4
/** Attempts of an onEvent call that throws, on the queue's backoff (about three hours). */
const EVENT_ATTEMPTS = 10

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
  const time = options.now ? shiftedTime(options.now) : databaseTime
  const owner = randomUUID()
  const queries = createQueries(db, now)
  const sealer = createSealer(options.relaySecrets, now, options.cipher)
  const { webhook, onEvent } = options
  if (webhook) {
    const problems = webhookProblems(webhook.url, webhook.secrets)
    if (problems.length > 0) throw new Error(problems.join(' '))
  }

  // The outbox's consumers: each event is a job in each of their queues.
  const deliveries: Record<string, JobHandler> = {}
  const events = async (id: number) => outbox.recent(id) ?? (await eventOf(db, id))
  const consumers: Consumer[] = []
  const webhookHealth = createHealth({
    name: 'webhooks',
    log,
    messages: {
      failing: 'sync: webhook receiver failing, deliveries retried',
      back: 'sync: webhook receiver answering again',
    },
  })
  if (webhook) {
    deliveries.webhook = webhookDelivery({ events, webhook, now, health: webhookHealth })
    consumers.push({ queue: 'webhook', maxAttempts: WEBHOOK_RETRY_SECONDS.length + 1 })
  }
  if (onEvent) {
    deliveries.event = hookDelivery({ events, onEvent })
    consumers.push({ queue: 'event', maxAttempts: EVENT_ATTEMPTS })
  }
  const outbox = createOutbox(consumers, time)
  const withingsHealth = createHealth({
    name: 'withings',
    log,
    messages: {
      failing: 'sync: Withings failing, jobs retried',
      back: 'sync: Withings answering again',
    },
  })

  const vault = createTokenVault({
    db,
    sealer,
    owner,
    log,
    marked: async (trx, userid) => {
      await outbox.record(trx, [{ type: 'connection.needs_reauth', userid }])
    },
  })

  let relay: RelayForSync | undefined
  let worker: Worker | undefined
  /** Bed events being written (see `notified`). */
  const recording = new Map<string, Promise<void>>()
  /** Data notifications, gathered while the previous ones are written. */
  const hints = createWriteBatch((notified: { userid: number; appli: DataAppli }[]) =>
    persistently('notification', () => enqueueCatchUps(notified)),
  )
  /** Jobs committed here: this instance takes them at once when it has room. */
  const offer = (made: readonly Made[]) => {
    for (const { queue, ids } of made) worker?.offer(queue, ids)
  }

  const runs = createPersonRuns({
    db,
    withings: (userid, service, params) => lent().withings(userid, service, params),
    outbox,
    offer,
    tell: (userid, news) => lent().tell(userid, news),
    health: withingsHealth,
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
      time,
      lanes: [
        { queues: ['import'], concurrency: options.concurrency ?? 2 },
        { queues: ['catch-up', 'catch-up-all'], concurrency: CATCH_UPS_AT_ONCE },
        ...(consumers.length > 0
          ? [
              {
                queues: consumers.map((consumer) => consumer.queue),
                concurrency: DELIVERIES_AT_ONCE,
              },
            ]
          : []),
      ],
      handlers: {
        import: async (job, signal) => {
          const { userid } = job.payload as { userid: number }
          await runs.backfill(userid, job, signal)
        },
        'catch-up': async (job, signal) => {
          const { userid, sources } = job.payload as { userid: number; sources?: SourceName[] }
          await runs.catchUp(userid, sources, signal)
        },
        'catch-up-all': async () => {
          const people = await db
            .selectFrom('withings_connection')
            .select('userid')
            .where('status', '=', 'active')
            .execute()
          for (const { userid } of people) {
            await enqueue(db, 'catch-up', { userid }, { dedupeKey: `${userid}:all`, time })
          }
          await enqueue(
            db,
            'catch-up-all',
            {},
            { dedupeKey: 'all', delaySeconds: pollSeconds, time },
          )
        },
        ...deliveries,
      },
    })
    await enqueue(db, 'catch-up-all', {}, { dedupeKey: 'all', delaySeconds: pollSeconds, time })
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
      const made = await db.transaction().execute(async (trx) => {
        if (sources.length > 0) {
          await trx
            .insertInto('sync_source')
            .values(
              sources.map((source) => ({ userid: id, source: source.name, synced_until: since })),
            )
            .onConflict((conflict) => conflict.columns(['userid', 'source']).doNothing())
            .execute()
        }
        const job = await enqueue(trx, 'import', { userid: id }, { dedupeKey: String(id), time })
        // Connecting again: what was imported before catches up too (a new person has nothing).
        const imported = await trx
          .selectFrom('sync_source')
          .select('source')
          .where('userid', '=', id)
          .where('state', '=', 'done')
          .executeTakeFirst()
        if (imported) {
          await enqueue(trx, 'catch-up', { userid: id }, { dedupeKey: `${id}:all`, time })
        }
        const told = await outbox.record(trx, [
          { type: 'connection.created', userid: id, fields: { scope } },
        ])
        return [...told, { queue: 'import', ids: job === undefined ? [] : [job] }]
      })
      offer(made)
    },

    async notified(userid, notification) {
      if (notification.kind === 'data') {
        return hints.add({ userid: Number(userid), appli: notification.appli })
      }
      // A repeat of a bed event while the first is being written is that one.
      const key = `${userid}:${notification.appli}:${notification.date}`
      const pending = recording.get(key)
      if (pending) return pending
      const recorded = persistently('notification', () =>
        storeBedEvent(Number(userid), notification),
      ).finally(() => recording.delete(key))
      recording.set(key, recorded)
      return recorded
    },

    async disconnected(userid, { deleteData }) {
      const id = Number(userid)
      const made = await db.transaction().execute(async (trx) => {
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
          // The outbox too: events not yet delivered carry the person's records.
          for (const table of [...PERSON_TABLES, 'sync_event'] as const) {
            await trx.deleteFrom(table).where('userid', '=', id).execute()
          }
        }
        return outbox.record(trx, [
          { type: 'connection.deleted', userid: id, fields: { data_deleted: deleteData } },
        ])
      })
      offer(made)
    },

    read: (userid, query) => answerDataQuery(queries, Number(userid), query),
  }

  /** Whether the person is connected with a grant that covers this category (else dropped). */
  const covers = (scope: string | undefined, appli: number) => {
    const reason =
      scope === undefined
        ? 'sync: notification for a person not connected, dropped'
        : categoriesOf(scope).some((category) => category.appli === appli)
          ? undefined
          : 'sync: notification of a category the grant excludes, dropped'
    if (reason) log({ level: 'info', msg: reason, appli })
    return reason === undefined
  }

  /**
   * A catch-up for each person and category notified, all in one statement; one that waits
   * already covers them (it fetches what changed since the last, whatever the hints announce).
   */
  async function enqueueCatchUps(notified: readonly { userid: number; appli: DataAppli }[]) {
    const people = [...new Set(notified.map(({ userid }) => userid))]
    const connections = await db
      .selectFrom('withings_connection')
      .select(['userid', 'scope'])
      .where('userid', 'in', people)
      .execute()
    const scopes = new Map(connections.map((row) => [Number(row.userid), row.scope]))
    const jobs = notified
      .filter(({ userid, appli }) => covers(scopes.get(userid), appli))
      .map(({ userid, appli }) => {
        const sources = SOURCES_OF_APPLI[appli] ?? []
        return { payload: { userid, sources }, dedupeKey: `${userid}:${sources.join(',')}` }
      })
    const ids = await enqueueMany(db, 'catch-up', jobs, {
      time,
      delayWhileRunningSeconds: BURST_CATCH_UP_DELAY_SECONDS,
    })
    if (ids.length > 0) offer([{ queue: 'catch-up', ids }])
  }

  async function storeBedEvent(
    userid: number,
    notification: Exclude<LiveNotification, { kind: 'data' }>,
  ) {
    const connection = await db
      .selectFrom('withings_connection')
      .select(['scope'])
      .where('userid', '=', userid)
      .executeTakeFirst()
    if (!covers(connection?.scope, notification.appli)) return
    const type =
      notification.kind === 'bed_in'
        ? 'bed.in'
        : notification.kind === 'bed_out'
          ? 'bed.out'
          : 'bed.inflate_done'
    const { stored, made } = await db.transaction().execute(async (trx) => {
      const [row] = await trx
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
      return {
        stored: row,
        made: row ? await outbox.record(trx, [{ type, userid, records: [row] }]) : [],
      }
    })
    offer(made)
    if (stored) await relay?.tell(String(userid), { kinds: ['bed'] })
  }

  return {
    db,
    queries,
    vault,
    readiness: [
      { name: 'database', check: () => sql`select 1`.execute(db) },
      withingsHealth.readiness,
      ...(webhook ? [webhookHealth.readiness] : []),
    ],
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
