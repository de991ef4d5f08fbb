import { type Kysely, type RawBuilder, sql } from 'kysely'
import type { SyncSchema } from '../db/schema'

// The sync's jobs, in its own Postgres. Not pg-boss, the well-kept Postgres queue: its current
// versions need Node 22 (the kit supports Node 20.19), the last one for Node 20 polls no faster
// than every half second and on PGlite funnels every query through one shim connection. So a
// `job` table, as pg-boss and graphile-worker do it:
// - a job is claimed by one UPDATE over a `FOR UPDATE SKIP LOCKED` selection, so any number of
//   instances claim each job once, without waiting on each other;
// - every time is the database's clock (`now()`), never an instance's (a test's injected clock
//   moves when jobs are due by its own lead: `shiftedTime`);
// - a claim is a lease, kept by the worker's heartbeat: a crashed worker's jobs come back when it
//   lapses (`reap`), and a worker whose lease lapsed cannot complete a job claimed since by
//   another (`locked_by` fences it). Leases are the database's real time, whatever a test's
//   clock says: they measure whether a worker is still alive, not when work is due;
// - a failure is retried with exponential backoff and jitter (or the caller's delay); Withings'
//   "wait" (601) postpones without spending an attempt;
// - jobs with the same dedupe key collapse while they wait (a unique index on ready jobs);
// - NOTIFY on enqueue wakes the workers at once (LISTEN), the poll is only a safety net. An
//   enqueue inside a transaction is seen, and notified, when it commits.

export const JOBS_CHANNEL = 'withings_link_jobs'

export interface Job<P = unknown> {
  id: number
  queue: string
  payload: P
  attempts: number
  max_attempts: number
  locked_by: string
}

type Db = Kysely<SyncSchema>

/** The queue's "now", as SQL. */
export type QueueTime = () => RawBuilder<Date>

/** The database's clock. */
export const databaseTime: QueueTime = () => sql<Date>`now()`

/**
 * The database's clock moved by the lead `now` has over the real one: a test that moves its
 * injected clock an hour on makes every job due within that hour due now.
 */
export function shiftedTime(now: () => number): QueueTime {
  return () => sql<Date>`(now() + make_interval(secs => ${(now() - Date.now()) / 1000}))`
}

const later = (time: QueueTime, seconds: number | RawBuilder<number>) =>
  sql<Date>`${time()} + make_interval(secs => ${seconds})`

/** One job (undefined when one of its dedupe key waits already: that one covers it). */
export async function enqueue(
  db: Db,
  queue: string,
  payload: unknown,
  options: EnqueueOptions & { dedupeKey?: string } = {},
): Promise<number | undefined> {
  const made = await enqueueMany(db, queue, [{ payload, dedupeKey: options.dedupeKey }], options)
  return made[0]
}

export interface EnqueueOptions {
  delaySeconds?: number
  /**
   * A job whose like (same queue and dedupe key) is running waits this long instead, so that
   * whatever else comes meanwhile collapses into it (a burst is one job after the running one).
   */
  delayWhileRunningSeconds?: number
  maxAttempts?: number
  time?: QueueTime
}

/**
 * Several jobs of one queue in one statement, with the workers' wake-up (a burst of
 * notifications is one write); the ids of those made, without the ones a waiting job covers.
 */
export async function enqueueMany(
  db: Db,
  queue: string,
  jobs: readonly { payload: unknown; dedupeKey?: string | undefined }[],
  options: EnqueueOptions = {},
): Promise<number[]> {
  // One row per dedupe key: two in one statement would conflict with each other.
  const keyed = new Map(jobs.map((job, index) => [job.dedupeKey ?? index, job]))
  if (keyed.size === 0) return []
  const time = options.time ?? databaseTime
  const { delaySeconds = 0, delayWhileRunningSeconds } = options
  const runAt = (dedupeKey: string | undefined) =>
    later(
      time,
      dedupeKey === undefined || delayWhileRunningSeconds === undefined
        ? delaySeconds
        : sql<number>`case when exists (select 1 from job where queue = ${queue}
            and dedupe_key = ${dedupeKey} and state = 'running')
          then ${delayWhileRunningSeconds}::float8 else ${delaySeconds}::float8 end`,
    )
  const rows = [...keyed.values()].map(
    ({ payload, dedupeKey }) =>
      sql`(${queue}, ${JSON.stringify(payload)}::jsonb, ${dedupeKey ?? null},
        ${options.maxAttempts ?? 10}, ${runAt(dedupeKey)})`,
  )
  // Postgres sends one wake-up per channel and text however many rows ask for it.
  const { rows: made } = await sql<{ id: number }>`
    with made as (
      insert into job (queue, payload, dedupe_key, max_attempts, run_at)
      values ${sql.join(rows)}
      on conflict (queue, dedupe_key) where dedupe_key is not null and state = 'ready' do nothing
      returning id
    )
    select id, pg_notify(${JOBS_CHANNEL}, ${queue}) from made`.execute(db)
  return made.map((row) => row.id)
}

export async function claim(
  db: Db,
  worker: string,
  {
    limit = 1,
    leaseSeconds = 60,
    queues,
    ids,
    time = databaseTime,
  }: {
    limit?: number
    leaseSeconds?: number
    queues?: readonly string[]
    /** Only these jobs (the ones this instance just made). */
    ids?: readonly number[]
    time?: QueueTime
  } = {},
): Promise<Job[]> {
  const { rows } = await sql<Job>`
    with next as (
      select id from job
      where state = 'ready' and run_at <= ${time()}
        ${queues ? sql`and queue = any(${[...queues]}::text[])` : sql``}
        ${ids ? sql`and id = any(${[...ids]}::bigint[])` : sql``}
      order by run_at, id
      limit ${limit}
      for update skip locked
    )
    update job set state = 'running', attempts = job.attempts + 1, locked_by = ${worker},
      locked_until = ${later(databaseTime, leaseSeconds)}, updated_at = now()
    from next where job.id = next.id
    returning job.id, job.queue, job.payload, job.attempts, job.max_attempts, job.locked_by`.execute(
    db,
  )
  return rows
}

/**
 * Extends the leases of the jobs `worker` runs (its heartbeat); answers the ids it still holds:
 * a job missing from the answer was taken back, and may run elsewhere now.
 */
export async function extend(
  db: Db,
  worker: string,
  ids: readonly number[],
  leaseSeconds = 60,
): Promise<Set<number>> {
  if (ids.length === 0) return new Set()
  const { rows } = await sql<{ id: number }>`update job
    set locked_until = ${later(databaseTime, leaseSeconds)}, updated_at = now()
    where id = any(${[...ids]}::bigint[]) and state = 'running' and locked_by = ${worker}
    returning id`.execute(db)
  return new Set(rows.map((row) => Number(row.id)))
}

export async function complete(db: Db, job: Job): Promise<boolean> {
  const result = await sql`update job
    set state = 'done', locked_by = null, locked_until = null, updated_at = now()
    where id = ${job.id} and state = 'running' and locked_by = ${job.locked_by}`.execute(db)
  return Number(result.numAffectedRows ?? 0) === 1
}

/**
 * Tries again later: after `delaySeconds`, or 10 s, 20 s, 40 s… (never sooner than Withings' 10
 * seconds between the same arguments), at most an hour, ±25 %; or `failed` once the attempts are
 * spent. Answers the state the job is left in.
 */
export async function fail(
  db: Db,
  job: Job,
  error: string,
  { delaySeconds, time = databaseTime }: { delaySeconds?: number; time?: QueueTime } = {},
): Promise<'ready' | 'failed' | undefined> {
  const backoff =
    delaySeconds ?? sql<number>`least(3600, 10 * power(2, attempts - 1)) * (0.75 + random() * 0.5)`
  const { rows } = await sql<{ state: 'ready' | 'failed' }>`update job set
      state = case when attempts >= max_attempts then 'failed' else 'ready' end,
      run_at = ${later(time, backoff)},
      last_error = ${error.slice(0, 500)}, locked_by = null, locked_until = null, updated_at = now()
    where id = ${job.id} and state = 'running' and locked_by = ${job.locked_by}
    returning state`.execute(db)
  return rows[0]?.state
}

/** Postpones without spending an attempt (Withings said how long to wait). */
export async function defer(
  db: Db,
  job: Job,
  waitSeconds: number,
  time: QueueTime = databaseTime,
): Promise<void> {
  await sql`update job set state = 'ready', attempts = attempts - 1,
      run_at = ${later(time, waitSeconds)},
      locked_by = null, locked_until = null, updated_at = now()
    where id = ${job.id} and state = 'running' and locked_by = ${job.locked_by}`.execute(db)
}

/**
 * Jobs whose worker died come back (or fail, out of attempts): those whose lease lapsed, or every
 * running one when the caller knows no other worker can be (`all`: the embedded database, which
 * one process at a time may open, at its start).
 */
export async function reap(db: Db, { all = false }: { all?: boolean } = {}): Promise<number> {
  const result = await sql`update job
    set state = case when attempts >= max_attempts then 'failed' else 'ready' end,
      locked_by = null, locked_until = null,
      last_error = coalesce(last_error, 'lease expired'), updated_at = now()
    where state = 'running' and (${all} or locked_until <= now())`.execute(db)
  return Number(result.numAffectedRows ?? 0)
}

/** Seconds until the earliest waiting job of `queues` is due (0 when one is), or undefined. */
export async function nextDueSeconds(
  db: Db,
  queues: readonly string[],
  time: QueueTime = databaseTime,
): Promise<number | undefined> {
  const { rows } = await sql<{ seconds: number | null }>`
    select greatest(0, extract(epoch from min(run_at) - ${time()}))::float8 as seconds
    from job where state = 'ready' and queue = any(${[...queues]}::text[])`.execute(db)
  return rows[0]?.seconds ?? undefined
}

/**
 * Forgets jobs done over a day ago, and failed ones after a week (time enough to look); and the
 * outbox's events after eight days, when even a webhook's last retry (32 hours on) is long over.
 */
export async function prune(db: Db): Promise<void> {
  await sql`delete from job where (state = 'done' and updated_at < now() - interval '1 day')
    or (state = 'failed' and updated_at < now() - interval '7 days')`.execute(db)
  await sql`delete from sync_event where created_at < now() - interval '8 days'`.execute(db)
}
