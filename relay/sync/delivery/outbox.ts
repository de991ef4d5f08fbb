import { type Kysely, sql } from 'kysely'
import type { SyncSchema } from '../db/schema'
import { databaseTime, JOBS_CHANNEL, type QueueTime } from '../jobs/queue'
import type { Change, SyncEvent } from '../sync-events'
import { asEvent } from './webhook-deliveries'

// The outbox: each change becomes events in `sync_event`, and each event a delivery job per
// consumer (the webhook, onEvent), all in the caller's transaction, the one that stores the
// change. So a change is never stored without its events, nor told without being stored, and a
// crash anywhere leaves either both or neither: the deliveries then run at least once, from
// whichever instance claims them. Without a consumer, nothing is written.

/** Records per event: an import's page of measures or intraday samples is sent in batches. */
export const MAX_RECORDS = 500
/**
 * Records of the events kept in memory as written, for this instance's deliveries of them: the
 * newest, each until every consumer has taken it (a few import pages' worth).
 */
const KEPT_RECORDS = 2_000

export interface Consumer {
  /** The job queue its deliveries go to. */
  queue: string
  /** Attempts before a delivery is given up (its schedule's length + 1). */
  maxAttempts: number
}

/** Jobs just written, by queue: once their transaction commits, the worker may take them at once. */
export interface Made {
  queue: string
  ids: number[]
}

export interface Outbox {
  /**
   * Writes `changes` as events, and their deliveries, in `trx`; answers the delivery jobs made.
   * `dedupeKey` makes the write happen once: a job that runs again after a crash
   * (`backfill.completed`) tells once.
   */
  record(
    trx: Kysely<SyncSchema>,
    changes: readonly Change[],
    options?: { dedupeKey?: string },
  ): Promise<Made[]>
  /**
   * An event this instance wrote lately, as the table holds it (read back by the insert), for
   * one of its consumers: its deliveries here need not read it again. Undefined when not kept
   * (then read the table).
   */
  recent(id: number): SyncEvent | undefined
}

export function createOutbox(
  consumers: readonly Consumer[],
  time: QueueTime = databaseTime,
): Outbox {
  const kept = new Map<number, { event: SyncEvent; records: number; left: number }>()
  let keptRecords = 0
  const forget = (id: number) => {
    keptRecords -= kept.get(id)?.records ?? 0
    kept.delete(id)
  }
  const keep = (id: number, event: SyncEvent) => {
    const records = 1 + ((event.data as { records?: unknown[] }).records?.length ?? 0)
    kept.set(id, { event, records, left: consumers.length })
    keptRecords += records
    while (keptRecords > KEPT_RECORDS) forget(kept.keys().next().value as number)
  }
  return {
    recent(id) {
      const entry = kept.get(id)
      if (entry && --entry.left === 0) forget(id)
      return entry?.event
    },
    async record(trx, changes, { dedupeKey } = {}) {
      if (consumers.length === 0 || changes.length === 0) return []
      const rows = changes.flatMap((change) =>
        batches(change).map((data, index) => ({
          type: change.type,
          userid: change.userid,
          data: JSON.stringify(data),
          dedupe_key: dedupeKey === undefined ? null : `${dedupeKey}:${change.type}:${index}`,
        })),
      )
      const written = await trx
        .insertInto('sync_event')
        .values(rows)
        .onConflict((conflict) => conflict.column('dedupe_key').doNothing())
        .returning(['id', 'webhook_id', 'type', 'data', 'created_at'])
        .execute()
      if (written.length === 0) return []
      const ids = written.map((row) => row.id)
      for (const row of written) keep(row.id, asEvent(row))
      const made: Made[] = []
      for (const { queue, maxAttempts } of consumers) {
        // The jobs, and the wake-up of every instance's workers at the commit (Postgres sends
        // one notification for the same channel and payload of one transaction).
        const { rows } = await sql<{ id: number }>`with jobs as (
            insert into job (queue, payload, max_attempts, run_at)
            select ${queue}, jsonb_build_object('event', id), ${maxAttempts}, ${time()}
            from unnest(${ids}::bigint[]) as id
            returning id
          )
          select id, pg_notify(${JOBS_CHANNEL}, ${queue}) from jobs`.execute(trx)
        made.push({ queue, ids: rows.map((row) => row.id) })
      }
      return made
    },
  }
}

/** The event data of a change: one, or one per batch of records. */
function batches(change: Change): Record<string, unknown>[] {
  const base = { userid: change.userid, ...change.fields }
  if (!change.records) return [base]
  return chunks(change.records.map(recordOf)).map((records) => ({ ...base, records }))
}

/**
 * At most MAX_RECORDS records a batch, a measure group never split: its values say together
 * what one weighing measured.
 */
function chunks(records: readonly Record<string, unknown>[]): Record<string, unknown>[][] {
  const out: Record<string, unknown>[][] = []
  let current: Record<string, unknown>[] = []
  for (let at = 0; at < records.length; ) {
    const group = groupAt(records, at)
    if (current.length > 0 && current.length + group.length > MAX_RECORDS) {
      out.push(current)
      current = []
    }
    current.push(...group)
    at += group.length
  }
  if (current.length > 0) out.push(current)
  return out
}

/** The record at `at` and those after it of the same measure group (measures only). */
function groupAt(records: readonly Record<string, unknown>[], at: number) {
  const grpid = records[at]?.grpid
  let end = at + 1
  while (grpid !== undefined && end < records.length && records[end]?.grpid === grpid) end++
  return records.slice(at, end)
}

/** A record as events carry it: without Withings' raw answer (kept in its table). */
function recordOf(row: object): Record<string, unknown> {
  const { raw: _raw, ...record } = row as Record<string, unknown>
  return record
}
