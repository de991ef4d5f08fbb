import { errorKind } from '../../core/error-kind'
import type { Logger } from '../../core/http/request-log'
import type { SyncDatabase } from '../db/open-database'
import { Defer, Drop, LeaseLost, Retry } from './outcomes'
import {
  claim,
  complete,
  databaseTime,
  defer,
  extend,
  fail,
  JOBS_CHANNEL,
  type Job,
  nextDueSeconds,
  prune,
  type QueueTime,
  reap,
} from './queue'

// Runs the queue's jobs on this instance: a few at a time in each lane (the long imports in one,
// the short catch-ups in another, the deliveries in a third, so that none waits behind the
// others), woken at once by an enqueue anywhere (LISTEN: the lane of the queue named) and, as a
// safety net, by a poll. A job this instance just made is offered to it directly (`offer`): taken
// at once when its lane has room, by the same claim any instance makes (one UPDATE, SKIP LOCKED),
// without waiting for the wake-up's round trip; a notification's way to the app's webhook is
// then two claims and no waits. A
// heartbeat keeps the leases of the jobs under way, so that a short lease is enough: the jobs of
// a killed instance come back within seconds, and a run whose lease was lost (the database
// away for longer than the lease) is told to stop. A database that goes away is waited for,
// quietly (one log line when it goes, one when it comes back): nothing here ever throws out of
// the loop.

/** `signal` aborts when the job's lease was lost: the run should stop at its next step. */
export type JobHandler = (job: Job, signal: AbortSignal) => Promise<void>

export interface Lane {
  queues: readonly string[]
  concurrency: number
}

export interface Worker {
  start(): Promise<void>
  /** Jobs of `queue` this instance just made (committed): run here now if their lane has room. */
  offer(queue: string, ids: readonly number[]): void
  /** Stops claiming; waits at most `timeoutMs` for the jobs under way. */
  stop(timeoutMs?: number): Promise<void>
}

/** Several heartbeats long: a loaded machine may miss one or two. */
const LEASE_SECONDS = 15
const HEARTBEAT_MS = 3_000
const POLL_MS = 5_000
const REAP_MS = 5_000
const PRUNE_MS = 3_600_000
const DOWN_BACKOFF_MS = [250, 500, 1_000, 2_000, 5_000]

export function createWorker(options: {
  database: SyncDatabase
  handlers: Record<string, JobHandler>
  lanes: readonly Lane[]
  /** Names this instance in job leases. */
  owner: string
  log: Logger
  time?: QueueTime
}): Worker {
  const { database, handlers, lanes, owner, log } = options
  const time = options.time ?? databaseTime
  const { db } = database
  const running = new Map<number, { lane: Lane; run: Promise<void>; lost: AbortController }>()
  let stopped = false
  let wake: (() => void) | undefined
  let unlisten: (() => Promise<void>) | undefined
  let loop: Promise<void> | undefined
  let heartbeat: ReturnType<typeof setInterval> | undefined
  let failures = 0
  let lastReap = 0
  let lastPrune = 0
  /** Lanes that may have work: each named by a wake-up, freed by a job's end, or polled. */
  const dirty = new Set<Lane>(lanes)
  const laneOf = (queue: string) => lanes.find((lane) => lane.queues.includes(queue))

  /** Resolves true when woken before `ms`. */
  const sleep = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => done(false), ms)
      function done(woken: boolean) {
        clearTimeout(timer)
        wake = undefined
        resolve(woken)
      }
      wake = () => done(true)
    })

  /** Slots of each lane held by a claim under way (so that two claims do not both fill them). */
  const claiming = new Map<Lane, number>()
  const room = (lane: Lane) =>
    lane.concurrency -
    [...running.values()].filter((each) => each.lane === lane).length -
    (claiming.get(lane) ?? 0)

  /** Claims up to the lane's room, as `claimed` does, holding that room meanwhile. */
  async function claimFor(
    lane: Lane,
    options: { queues?: readonly string[]; ids?: readonly number[] },
  ) {
    const free = room(lane)
    if (free <= 0) return { jobs: [] as Job[], free }
    claiming.set(lane, (claiming.get(lane) ?? 0) + free)
    try {
      const jobs = await claim(db, owner, {
        limit: free,
        leaseSeconds: LEASE_SECONDS,
        time,
        ...options,
      })
      for (const job of jobs) started(lane, job)
      return { jobs, free }
    } finally {
      claiming.set(lane, (claiming.get(lane) ?? 0) - free)
    }
  }

  function started(lane: Lane, job: Job) {
    const lost = new AbortController()
    const task = run(job, lost.signal).finally(() => {
      running.delete(job.id)
      dirty.add(lane)
      wake?.()
    })
    running.set(job.id, { lane, run: task, lost })
  }

  async function run(job: Job, signal: AbortSignal) {
    const handler = handlers[job.queue]
    try {
      if (!handler) throw new Drop(`no handler for queue ${job.queue}`)
      await handler(job, signal)
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
    if (error instanceof Defer) return defer(db, job, error.seconds, time)
    if (error instanceof LeaseLost) {
      log({
        level: 'info',
        msg: 'sync: job taken back from this worker, stopped',
        queue: job.queue,
      })
      return
    }
    if (error instanceof Drop) {
      log({ level: 'info', msg: 'sync: job dropped', queue: job.queue, reason: error.reason })
      return void (await complete(db, job))
    }
    const retry = error instanceof Retry ? error : undefined
    const cause = retry ? retry.reason : (errorKind(error) ?? 'unknown')
    const state = await fail(db, job, cause, {
      time,
      ...(retry && { delaySeconds: retry.delaySeconds }),
    })
    log({
      level: state === 'failed' ? 'error' : 'warn',
      msg:
        state === 'failed' ? 'sync: job failed, attempts spent' : 'sync: job failed, to be retried',
      queue: job.queue,
      attempt: job.attempts,
      cause,
    })
  }

  /** Keeps the leases of the jobs under way; stops those another worker may hold now. */
  async function beat() {
    const ids = [...running.keys()]
    if (ids.length === 0) return
    const held = await extend(db, owner, ids, LEASE_SECONDS)
    for (const id of ids) if (!held.has(id)) running.get(id)?.lost.abort(new LeaseLost())
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

  /** Claims what each lane that may have work has room for; whether one filled all its room. */
  async function claimAll(): Promise<boolean> {
    let more = false
    for (const lane of lanes) {
      if (!dirty.has(lane) || room(lane) <= 0) continue
      dirty.delete(lane)
      const { jobs, free } = await claimFor(lane, { queues: lane.queues }).catch(
        (error: unknown) => {
          dirty.add(lane)
          throw error
        },
      )
      if (free > 0 && jobs.length === free) {
        dirty.add(lane)
        more = true
      }
    }
    return more
  }

  async function cycle() {
    while (!stopped) {
      try {
        await housekeeping()
        const more = await claimAll()
        if (failures > 0) log({ level: 'info', msg: 'sync: database reachable again' })
        failures = 0
        if (more) continue
        const open = lanes.filter((lane) => room(lane) > 0)
        const due =
          open.length > 0
            ? await nextDueSeconds(
                db,
                open.flatMap((lane) => lane.queues),
                time,
              )
            : undefined
        // Woken early, by a lane's name; else every lane may have work by now.
        if (
          !(await sleep(due === undefined ? POLL_MS : Math.min(POLL_MS, Math.max(10, due * 1000))))
        ) {
          for (const lane of lanes) dirty.add(lane)
        }
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
        unlisten = await database.listen(JOBS_CHANNEL, (queue) => {
          const lane = laneOf(queue)
          for (const each of lane ? [lane] : lanes) dirty.add(each)
          wake?.()
        })
      } catch (error) {
        log({
          level: 'warn',
          msg: 'sync: no wake-up channel, polling only',
          cause: errorKind(error),
        })
      }
      // Failures are the cycle's to report: a missed beat only shortens what is left of a lease.
      heartbeat = setInterval(() => void beat().catch(() => {}), HEARTBEAT_MS)
      heartbeat.unref?.()
      log({ level: 'info', msg: 'sync: jobs started', worker: owner })
      loop = cycle()
    },
    offer(queue, ids) {
      const lane = laneOf(queue)
      if (stopped || !lane || ids.length === 0) return
      // A failure leaves them to the next claim (the database is away: the cycle says so).
      void claimFor(lane, { ids }).catch(() => {})
    },
    async stop(timeoutMs = 5_000) {
      stopped = true
      wake?.()
      await loop
      await Promise.race([
        Promise.allSettled([...running.values()].map((each) => each.run)),
        new Promise((resolve) => setTimeout(resolve, timeoutMs).unref()),
      ])
      clearInterval(heartbeat)
      await unlisten?.().catch(() => {})
    },
  }
}
