import { type Kysely, sql } from 'kysely'
import type { StoredKind, StoredNews } from '../../contract/stored-data'
import type { DataService } from '../../contract/wire-contract'
import { RelayError } from '../../core/errors'
import type { Logger } from '../../core/http/request-log'
import type { SyncSchema } from '../db/schema'
import type { Made, Outbox } from '../delivery/outbox'
import type { Health } from '../health'
import type { Fields } from '../store/field-readers'
import { Defer, Drop, LeaseLost } from './outcomes'
import type { Job } from './queue'
import { nextOffset, type PlanContext, type Request, type SourceName, sourcesFor } from './sources'

// A person's import and catch-ups, page by page. Each page is stored, its events written to the
// outbox and its place recorded in one transaction, so an import stopped anywhere (kill -9, a
// restart, the database away) resumes at the page after the last one stored: no gap, and no
// duplicate since writes are upserts, which report only what they changed. One person's pages
// are written one at a time (a lock on the person for the transaction), so that two runs at once
// (an import and a notification's catch-up, on two instances) cannot both take the same new
// record for theirs and tell of it twice.

export interface RunSettings {
  historyDays: number
  detailDays: number
}

export interface RunContext {
  db: Kysely<SyncSchema>
  withings(userid: string, service: DataService, params: Record<string, string>): Promise<Fields>
  /** Where each page's changes are written, in its transaction. */
  outbox: Outbox
  /** Jobs committed here, for this instance to take at once. */
  offer(made: readonly Made[]): void
  tell(userid: string, news: StoredNews): Promise<void>
  /** How Withings answers the jobs (GET /api/readyz's `withings`). */
  health: Health
  log: Logger
  /** ms since the epoch. */
  now: () => number
  settings: RunSettings
}

interface ImportCursor {
  requests: Request[]
  index: number
  offset: number
}

/** Everything changed since a catch-up began, less this, is stored: clocks differ a little. */
const CLOCK_MARGIN_SECONDS = 300
/** Withings refuses the same arguments within 10 seconds (status 601). */
const SAME_ARGUMENTS_MS = 10_000
/** The first key of the sync's advisory locks (the second is the person's). */
const PERSON_LOCK = 0x77_6c_73_79 // "wlsy"

export function createPersonRuns(context: RunContext) {
  const { db, log, now, settings } = context
  const recentCalls = new Map<string, number>()

  /**
   * One call, never with the same arguments as one made from here within 10 s (Withings refuses
   * them, status 601). A catch-up right after another one would repeat its `lastupdate` (or its
   * window's start): it asks from a second earlier instead, which is a little more of the same
   * data, rather than waiting. Withings' refusals are sorted into what the job does next.
   */
  async function call(userid: number, request: Request, offset: number): Promise<Fields> {
    let params = offset > 0 ? { ...request.params, offset: String(offset) } : request.params
    const at = now()
    for (const [known, when] of recentCalls) {
      if (at - when < SAME_ARGUMENTS_MS) break
      recentCalls.delete(known)
    }
    const keyOf = (sent: Record<string, string>) =>
      `${userid} ${request.service} ${JSON.stringify(sent)}`
    const widened = params.lastupdate !== undefined ? 'lastupdate' : 'startdate'
    for (let step = 0; recentCalls.has(keyOf(params)); step++) {
      const last = recentCalls.get(keyOf(params)) ?? at
      const from = Number(params[widened])
      if (step >= 10 || !Number.isSafeInteger(from) || offset > 0) {
        throw new Defer(Math.ceil((last + SAME_ARGUMENTS_MS - at) / 1000))
      }
      params = { ...params, [widened]: String(from - 1) }
    }
    recentCalls.set(keyOf(params), at)
    try {
      const body = await context.withings(String(userid), request.service, params)
      context.health.ok()
      return body
    } catch (error) {
      // The app's own budget spent for now: wait as long as it says (nothing wrong at Withings).
      if (error instanceof RelayError && error.code === 'relay_busy') {
        throw new Defer(Math.max(1, error.retryAfter ?? 60))
      }
      const code = error instanceof RelayError ? error.code : 'error'
      if (code.startsWith('upstream_') || code === 'rate_limited') context.health.failed(code)
      // Withings' 601: wait as long as it says.
      if (error instanceof RelayError && code === 'rate_limited') {
        throw new Defer(Math.max(1, error.retryAfter ?? 60))
      }
      if (code === 'session_expired') throw new Drop('Withings no longer accepts this connection')
      throw error
    }
  }

  async function connectionOf(userid: number) {
    const connection = await db
      .selectFrom('withings_connection')
      .select(['scope', 'status'])
      .where('userid', '=', userid)
      .executeTakeFirst()
    if (!connection) throw new Drop('no connection for this person')
    if (connection.status !== 'active') throw new Drop('the connection needs the person again')
    return connection
  }

  const planContext = (userid: number, syncedUntil: number): PlanContext => ({
    db,
    userid,
    now: Math.floor(now() / 1000),
    historyDays: settings.historyDays,
    detailDays: settings.detailDays,
    syncedUntil,
  })

  /** Fetches one request's pages from `offset`, storing each; `onPage` records the place. */
  async function follow(
    userid: number,
    source: ReturnType<typeof sourcesFor>[number],
    request: Request,
    offset: number,
    onPage: (trx: Kysely<SyncSchema>, next: number | undefined) => Promise<void>,
    signal: AbortSignal,
  ) {
    let at = offset
    for (;;) {
      const body = await call(userid, request, at)
      const next = source.pages ? nextOffset(body, at) : undefined
      if (signal.aborted) throw new LeaseLost()
      const { page: stored, made } = await db.transaction().execute(async (trx) => {
        await lockPerson(trx, userid)
        const page = await source.store(trx, userid, body)
        const jobs = await context.outbox.record(trx, page.events)
        await onPage(trx, next)
        return { page, made: jobs }
      })
      context.offer(made)
      if (stored.skipped > 0) {
        log({
          level: 'warn',
          msg: 'sync: items not stored',
          source: source.name,
          skipped: stored.skipped,
        })
      }
      if (stored.events.length > 0) await tellStored(userid, source.name)
      if (next === undefined) return
      at = next
    }
  }

  const tellStored = (userid: number, kind: StoredKind, importing?: boolean) =>
    context.tell(String(userid), { kinds: [kind], ...(importing !== undefined && { importing }) })

  const scopeDenied = (error: unknown) =>
    error instanceof RelayError && error.code === 'scope_denied'

  return {
    /**
     * The import of every source the grant allows that is not imported yet; `signal` says the
     * job's lease was lost. Then `backfill.completed`, once for the job however often it runs.
     */
    async backfill(userid: number, job: Pick<Job, 'id'>, signal: AbortSignal) {
      const { scope } = await connectionOf(userid)
      for (const source of sourcesFor(scope)) {
        const row = await db
          .selectFrom('sync_source')
          .select(['state', 'cursor', 'synced_until'])
          .where('userid', '=', userid)
          .where('source', '=', source.name)
          .executeTakeFirst()
        if (!row || row.state === 'done' || row.state === 'failed') continue
        let cursor = row.cursor as ImportCursor | null
        if (!cursor) {
          const requests = await source.backfill(planContext(userid, row.synced_until ?? 0))
          cursor = { requests, index: 0, offset: 0 }
          await saveCursor(db, userid, source.name, cursor, 'importing')
        }
        try {
          while (cursor.index < cursor.requests.length) {
            const request = cursor.requests[cursor.index] as Request
            const place: ImportCursor = cursor
            await follow(
              userid,
              source,
              request,
              cursor.offset,
              async (trx, next) => {
                const moved =
                  next === undefined
                    ? { ...place, index: place.index + 1, offset: 0 }
                    : { ...place, offset: next }
                await saveCursor(trx, userid, source.name, moved, 'importing')
                cursor = moved
              },
              signal,
            )
          }
          await finish(db, userid, source.name, 'done', null)
        } catch (error) {
          if (!scopeDenied(error)) throw error
          log({ level: 'warn', msg: 'sync: source refused for this grant', source: source.name })
          await finish(db, userid, source.name, 'failed', 'scope_denied')
        }
        await tellStored(userid, source.name as StoredKind, true)
      }
      context.offer(
        await db.transaction().execute((trx) =>
          context.outbox.record(trx, [{ type: 'backfill.completed', userid }], {
            dedupeKey: `import:${job.id}`,
          }),
        ),
      )
      await context.tell(String(userid), { kinds: [], importing: false })
    },

    /** What changed since the last catch-up, for these sources (all when undefined). */
    async catchUp(userid: number, names: readonly SourceName[] | undefined, signal: AbortSignal) {
      const { scope } = await connectionOf(userid)
      const places = new Map(
        (
          await db
            .selectFrom('sync_source')
            .select(['source', 'synced_until'])
            .where('userid', '=', userid)
            .execute()
        ).map((row) => [row.source, row.synced_until]),
      )
      for (const source of sourcesFor(scope)) {
        if ((names && !names.includes(source.name)) || !places.has(source.name)) continue
        const started = Math.floor(now() / 1000)
        const syncedUntil = places.get(source.name) ?? started - CLOCK_MARGIN_SECONDS
        // Recorded with the last page stored, in its transaction (or alone, when nothing was asked).
        const caughtUp = (trx: Kysely<SyncSchema>) =>
          trx
            .updateTable('sync_source')
            .set({ synced_until: started - CLOCK_MARGIN_SECONDS, updated_at: new Date() })
            .where('userid', '=', userid)
            .where('source', '=', source.name)
            .execute()
        try {
          const requests = await source.since(planContext(userid, syncedUntil))
          for (const [index, request] of requests.entries()) {
            const last = index === requests.length - 1
            await follow(
              userid,
              source,
              request,
              0,
              async (trx, next) => {
                if (last && next === undefined) await caughtUp(trx)
              },
              signal,
            )
          }
          if (requests.length === 0) await caughtUp(db)
        } catch (error) {
          if (!scopeDenied(error)) throw error
          log({ level: 'warn', msg: 'sync: source refused for this grant', source: source.name })
        }
      }
    },
  }
}

/** Holds the person until the transaction ends (see the top of this file). */
async function lockPerson(trx: Kysely<SyncSchema>, userid: number) {
  await sql`select pg_advisory_xact_lock(${PERSON_LOCK}, ${userid % 2_147_483_647}::int)`.execute(
    trx,
  )
}

function saveCursor(
  db: Kysely<SyncSchema>,
  userid: number,
  source: string,
  cursor: ImportCursor,
  state: 'importing',
) {
  return db
    .updateTable('sync_source')
    .set({ cursor: JSON.stringify(cursor), state, updated_at: new Date() })
    .where('userid', '=', userid)
    .where('source', '=', source)
    .execute()
}

function finish(
  db: Kysely<SyncSchema>,
  userid: number,
  source: string,
  state: 'done' | 'failed',
  error: string | null,
) {
  return db
    .updateTable('sync_source')
    .set({ state, cursor: null, error, finished_at: new Date(), updated_at: new Date() })
    .where('userid', '=', userid)
    .where('source', '=', source)
    .execute()
}
