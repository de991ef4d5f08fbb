import { errorKind } from '../../core/error-kind'
import type { Logger } from '../../core/http/request-log'
import type { SyncDatabase } from '../db/open-database'
import { Defer, Drop } from './person-runs'
import {
  claim,
  complete,
  defer,
  extend,
  fail,
  JOBS_CHANNEL,
  type Job,
  nextDueSeconds,
  prune,
  reap,
} from './queue'

// Runs the queue's jobs on this instance: a few at a time, woken at once by an enqueue anywhere
// (LISTEN) and, as a safety net, by a poll. A database that goes away is waited for, quietly (one
// log line when it goes, one when it comes back): nothing here ever throws out of the loop.

export type JobHandler = (job: Job, holding: () => Promise<void>) => Promise<void>

export interface Worker {
  start(): Promise<void>
  /** Stops claiming; waits at most `timeoutMs` for the jobs under way. */
  stop(timeoutMs?: number): Promise<void>
}

/** Far longer than a page takes (one Withings call: 25 s at most); extended page by page. */
const LEASE_SECONDS = 60
const POLL_MS = 5_000
const REAP_MS = 30_000
const PRUNE_MS = 3_600_000
const DOWN_BACKOFF_MS = [250, 500, 1_000, 2_000, 5_000]

export function createWorker(options: {
  database: SyncDatabase
  handlers: Record<string, JobHandler>
  concurrency: number
  /** Names this instance in job leases. */
  owner: string
  log: Logger
}): Worker {
  const { database, handlers, concurrency, owner, log } = options
  const { db } = database
  const running = new Set<Promise<void>>()
  let stopped = false
  let wake: (() => void) | undefined
  let unlisten: (() => Promise<void>) | undefined
  let loop: Promise<void> | undefined
  let failures = 0
  let lastReap = 0
  let lastPrune = 0

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        wake = undefined
        resolve()
      }
      wake = done
    })

  async function run(job: Job) {
    const handler = handlers[job.queue]
    try {
      if (!handler) throw new Drop(`no handler for queue ${job.queue}`)
      await handler(job, async () => {
        await extend(db, job, LEASE_SECONDS)
      })
      await complete(db, job)
    } catch (error) {
      await settle(job, error).catch((cause: unknown) => {
        // The database is away: the lease lapses and the job is reaped, then run again.
        log({
          level: 'warn',
          msg: 'sync: job outcome not recorded',
          queue: job.queue,
          cause: errorKind(cause),
        })
      })
    }
  }

  async function settle(job: Job, error: unknown) {
    if (error instanceof Defer) return defer(db, job, error.seconds)
    if (error instanceof Drop) {
      log({ level: 'info', msg: 'sync: job dropped', queue: job.queue, reason: error.reason })
      return void (await complete(db, job))
    }
    log({
      level: 'warn',
      msg: 'sync: job failed, to be retried',
      queue: job.queue,
      attempt: job.attempts,
      cause: errorKind(error),
    })
    await fail(db, job, errorKind(error) ?? 'unknown')
  }

  async function housekeeping() {
    const at = Date.now()
    if (at - lastReap >= REAP_MS) {
      lastReap = at
      const reaped = await reap(db)
      if (reaped > 0)
        log({ level: 'info', msg: 'sync: jobs of a stopped worker taken back', jobs: reaped })
    }
    if (at - lastPrune >= PRUNE_MS) {
      lastPrune = at
      await prune(db)
    }
  }

  async function cycle() {
    while (!stopped) {
      try {
        await housekeeping()
        const free = concurrency - running.size
        const jobs =
          free > 0 ? await claim(db, owner, { limit: free, leaseSeconds: LEASE_SECONDS }) : []
        if (failures > 0) log({ level: 'info', msg: 'sync: database reachable again' })
        failures = 0
        for (const job of jobs) {
          const task = run(job).finally(() => {
            running.delete(task)
            wake?.()
          })
          running.add(task)
        }
        if (jobs.length > 0 && running.size < concurrency) continue
        const due = running.size < concurrency ? await nextDueSeconds(db) : undefined
        await sleep(due === undefined ? POLL_MS : Math.min(POLL_MS, Math.max(10, due * 1000)))
      } catch (error) {
        if (failures === 0) {
          log({
            level: 'error',
            msg: 'sync: database unreachable, jobs wait',
            cause: errorKind(error),
          })
        }
        await sleep(DOWN_BACKOFF_MS[Math.min(failures, DOWN_BACKOFF_MS.length - 1)] as number)
        failures++
      }
    }
  }

  return {
    async start() {
      // The embedded database is this process's alone (its folder is locked): whatever it finds
      // running was left by a process that died, and comes back at once.
      if (database.kind === 'pglite') {
        const reaped = await reap(db, { all: true }).catch(() => 0)
        if (reaped > 0)
          log({ level: 'info', msg: 'sync: jobs of a stopped process taken back', jobs: reaped })
      }
      try {
        unlisten = await database.listen(JOBS_CHANNEL, () => wake?.())
      } catch (error) {
        log({
          level: 'warn',
          msg: 'sync: no wake-up channel, polling only',
          cause: errorKind(error),
        })
      }
      loop = cycle()
    },
    async stop(timeoutMs = 5_000) {
      stopped = true
      wake?.()
      await loop
      await Promise.race([
        Promise.allSettled([...running]),
        new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
      ])
      await unlisten?.().catch(() => {})
    },
  }
}
