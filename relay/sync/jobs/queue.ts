import { type Kysely, sql } from 'kysely'
import type { SyncSchema } from '../db/schema'

// The sync's jobs, in its own Postgres. Not pg-boss, the well-kept Postgres queue: its current
// versions need Node 22 (the kit supports Node 20.19), the last one for Node 20 polls no faster
// than every half second and on PGlite funnels every query through one shim connection. So a
// `job` table, as pg-boss and graphile-worker do it:
// - a job is claimed by one UPDATE over a `FOR UPDATE SKIP LOCKED` selection, so any number of
//   instances claim each job once, without waiting on each other;
// - every time is the database's clock (`now()`), never an instance's;
// - a claim is a lease: a crashed worker's jobs come back when it lapses (`reap`), and a worker
//   whose lease lapsed cannot complete a job claimed since by another (`locked_by` fences it);
// - a failure is retried with exponential backoff and jitter; Withings' "wait" (601) postpones
//   without spending an attempt;
// - jobs with the same dedupe key collapse while they wait (a unique index on ready jobs);
// - NOTIFY on enqueue wakes the workers at once (LISTEN), the poll is only a safety net.

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

export async function enqueue(
  db: Db,
  queue: string,
  payload: unknown,
  options: { dedupeKey?: string; delaySeconds?: number; maxAttempts?: number } = {},
): Promise<number | undefined> {
  const { rows } = await sql<{ id: number }>`
    insert into job (queue, payload, dedupe_key, max_attempts, run_at)
    values (${queue}, ${JSON.stringify(payload)}::jsonb, ${options.dedupeKey ?? null},
      ${options.maxAttempts ?? 10}, now() + make_interval(secs => ${options.delaySeconds ?? 0}))
    on conflict (queue, dedupe_key) where dedupe_key is not null and state = 'ready' do nothing
    returning id`.execute(db)
  await sql`select pg_notify(${JOBS_CHANNEL}, ${queue})`.execute(db)
  return rows[0]?.id
}

export async function claim(
  db: Db,
  worker: string,
  { limit = 1, leaseSeconds = 60 }: { limit?: number; leaseSeconds?: number } = {},
): Promise<Job[]> {
  const { rows } = await sql<Job>`
    with next as (
      select id from job
      where state = 'ready' and run_at <= now()
      order by run_at, id
      limit ${limit}
      for update skip locked
    )
    update job set state = 'running', attempts = job.attempts + 1, locked_by = ${worker},
      locked_until = now() + make_interval(secs => ${leaseSeconds}), updated_at = now()
    from next where job.id = next.id
    returning job.id, job.queue, job.payload, job.attempts, job.max_attempts, job.locked_by`.execute(
    db,
  )
  return rows
}

/** Extends the lease of a job still running (a long backfill page by page). */
export async function extend(db: Db, job: Job, leaseSeconds = 60): Promise<boolean> {
  const result = await sql`update job
    set locked_until = now() + make_interval(secs => ${leaseSeconds}), updated_at = now()
    where id = ${job.id} and state = 'running' and locked_by = ${job.locked_by}`.execute(db)
  return Number(result.numAffectedRows ?? 0) === 1
}

export async function complete(db: Db, job: Job): Promise<boolean> {
  const result = await sql`update job
    set state = 'done', locked_by = null, locked_until = null, updated_at = now()
    where id = ${job.id} and state = 'running' and locked_by = ${job.locked_by}`.execute(db)
  return Number(result.numAffectedRows ?? 0) === 1
}

/**
 * Tries again later: 10 s, 20 s, 40 s… (never sooner than Withings' 10 seconds between the same
 * arguments), at most an hour, ±25 %; or `failed` once the attempts are spent.
 */
export async function fail(db: Db, job: Job, error: string): Promise<void> {
  await sql`update job set
      state = case when attempts >= max_attempts then 'failed' else 'ready' end,
      run_at = now() + make_interval(secs => least(3600, 10 * power(2, attempts - 1))
        * (0.75 + random() * 0.5)),
      last_error = ${error.slice(0, 500)}, locked_by = null, locked_until = null, updated_at = now()
    where id = ${job.id} and state = 'running' and locked_by = ${job.locked_by}`.execute(db)
}

/** Postpones without spending an attempt (Withings said how long to wait). */
export async function defer(db: Db, job: Job, waitSeconds: number): Promise<void> {
  await sql`update job set state = 'ready', attempts = attempts - 1,
      run_at = now() + make_interval(secs => ${waitSeconds}),
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

/** Seconds until the earliest waiting job is due (0 when one is), or undefined when none waits. */
export async function nextDueSeconds(db: Db): Promise<number | undefined> {
  const { rows } = await sql<{ seconds: number | null }>`
    select greatest(0, extract(epoch from min(run_at) - now()))::float8 as seconds
    from job where state = 'ready'`.execute(db)
  return rows[0]?.seconds ?? undefined
}

/** Forgets jobs done over a day ago, and failed ones after a week (time enough to look). */
export async function prune(db: Db): Promise<void> {
  await sql`delete from job where (state = 'done' and updated_at < now() - interval '1 day')
    or (state = 'failed' and updated_at < now() - interval '7 days')`.execute(db)
}
