import { type Kysely, sql } from 'kysely'
import type { DataService, Scope } from '../../contract/wire-contract'
import { ALLOWLIST } from '../../core/withings/allowlist'
import type { SyncSchema } from '../db/schema'
import { type Fields, listOf } from '../store/field-readers'
import { normaliseActivityDays, normaliseIntraday } from '../store/normalise-activity'
import { normaliseDevices, normaliseHeartRecords } from '../store/normalise-heart'
import { normaliseMeasureGroups } from '../store/normalise-measures'
import { normaliseSleepSegments, normaliseSleepSummaries } from '../store/normalise-sleep'
import { normaliseWorkouts } from '../store/normalise-workouts'
import {
  writeActivityDays,
  writeDevices,
  writeHeartRecords,
  writeIntraday,
  writeMeasureGroups,
  writeSleepSegments,
  writeSleepSummaries,
  writeWorkouts,
} from '../store/write-records'
import type { Change } from '../sync-events'

// What the sync fetches of each Withings service, and how: the requests of an import (its window
// in as few calls as the data needs: one range a service, pages followed) and of a catch-up
// (what changed since the last one: `lastupdate` where the service offers it), each page's list
// and how it is stored. Requests are planned once and kept with the import's cursor, so an
// import that stops (a crash, a restart) resumes at its page, never re-planned over a moved clock.

export type SourceName =
  | 'measures'
  | 'heart'
  | 'activity'
  | 'workouts'
  | 'sleep'
  | 'intraday'
  | 'sleep_series'
  | 'devices'

export interface Request {
  service: DataService
  params: Record<string, string>
}

export interface PlanContext {
  db: Kysely<SyncSchema>
  userid: number
  /** Unix seconds. */
  now: number
  historyDays: number
  detailDays: number
  /** Unix seconds: everything changed before it is stored (the last catch-up's start). */
  syncedUntil: number
}

interface Source {
  name: SourceName
  scope: Scope
  /** The import's requests: the whole window, or the recent days for detail series. */
  backfill(context: PlanContext): Promise<Request[]>
  /** The catch-up's requests: what changed since `syncedUntil`. */
  since(context: PlanContext): Promise<Request[]>
  /** Stores one page's body; answers the events it made and how many items it skipped. */
  store(db: Kysely<SyncSchema>, userid: number, body: Fields): Promise<Stored>
  /** Follows `more`/`offset` (services that page). */
  pages: boolean
}

export interface Stored {
  events: Change[]
  /** Items the page held that could not be read (logged, never stored half). */
  skipped: number
}

/** A page whose list is missing or not a list: not stored, retried later. */
export class MalformedPage extends Error {
  constructor(readonly field: string) {
    super(`Withings' answer has no '${field}' list.`)
    this.name = 'MalformedPage'
  }
}

const DAY = 86_400
const fieldsOf = (service: 'v2/measure' | 'v2/sleep', action: string) => {
  const rules = (ALLOWLIST[service] as Record<string, { params: Record<string, unknown> }>)[action]
  const rule = rules?.params.data_fields as { values: readonly string[] } | undefined
  return rule ? rule.values.join(',') : ''
}
const ACTIVITY_FIELDS = fieldsOf('v2/measure', 'getactivity')
const WORKOUT_FIELDS = fieldsOf('v2/measure', 'getworkouts')
const SUMMARY_FIELDS = fieldsOf('v2/sleep', 'getsummary')
const INTRADAY_FIELDS = fieldsOf('v2/measure', 'getintradayactivity')
const SLEEP_FIELDS = fieldsOf('v2/sleep', 'get')

/** `YYYY-MM-DD` of a Unix time in UTC; windows are widened a day each side to cover every zone. */
const ymd = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10)

/** Day windows: the history, or what changed since the last catch-up. */
const dayWindow = (context: PlanContext) => ({
  startdateymd: ymd(context.now - (context.historyDays + 1) * DAY),
  enddateymd: ymd(context.now + DAY),
})
const since = (context: PlanContext) => ({ lastupdate: String(context.syncedUntil) })

function listed(
  field: string,
  store: (db: Kysely<SyncSchema>, userid: number, items: unknown[]) => Promise<Stored>,
) {
  return (db: Kysely<SyncSchema>, userid: number, body: Fields) => {
    const items = listOf(body, field)
    if (!items) throw new MalformedPage(field)
    return store(db, userid, items)
  }
}

async function stored<R>(
  normalised: { rows: R[]; skipped: number },
  write: (rows: R[]) => Promise<Change[]>,
): Promise<Stored> {
  return { events: await write(normalised.rows), skipped: normalised.skipped }
}

/** Windows of at most 24 h (Withings answers "only the first 24h after startdate"). */
function dayWindows(from: number, to: number): Request['params'][] {
  const windows = []
  for (let start = from; start < to; start += DAY) {
    windows.push({ startdate: String(start), enddate: String(Math.min(to, start + DAY)) })
  }
  return windows
}

/**
 * The sleep periods to read in detail, as few 24-hour windows as hold them all (a night and the
 * next day's nap share one call).
 */
async function sleepWindows(context: PlanContext, changedSince: number | undefined) {
  const from = new Date((context.now - context.detailDays * DAY) * 1000)
  let query = context.db
    .selectFrom('sleep_summary')
    .select(['startdate', 'enddate'])
    .where('userid', '=', context.userid)
    .where('enddate', '>=', from)
    .orderBy('startdate')
  if (changedSince !== undefined) {
    query = query.where('modified_at', '>=', new Date(changedSince * 1000))
  }
  const windows: { start: number; end: number }[] = []
  for (const period of await query.execute()) {
    const start = Math.floor(period.startdate.getTime() / 1000)
    const end = Math.floor(period.enddate.getTime() / 1000)
    const last = windows[windows.length - 1]
    if (last && end <= last.start + DAY) last.end = Math.max(last.end, end)
    else windows.push({ start, end })
  }
  return windows.map(({ start, end }) => ({
    service: 'v2/sleep' as const,
    params: {
      action: 'get',
      startdate: String(start),
      enddate: String(end),
      data_fields: SLEEP_FIELDS,
    },
  }))
}

export const SOURCES: readonly Source[] = [
  {
    name: 'measures',
    scope: 'user.metrics',
    pages: true,
    // Every type and attribution, objectives (category 2) included: one range, its pages.
    backfill: async (context) => [
      {
        service: 'measure',
        params: {
          action: 'getmeas',
          startdate: String(context.now - context.historyDays * DAY),
          enddate: String(context.now + DAY),
        },
      },
    ],
    since: async (context) => [
      { service: 'measure', params: { action: 'getmeas', ...since(context) } },
    ],
    store: listed('measuregrps', (db, userid, items) =>
      stored(normaliseMeasureGroups(userid, items), (groups) =>
        writeMeasureGroups(db, userid, groups),
      ),
    ),
  },
  {
    name: 'heart',
    scope: 'user.metrics',
    pages: true,
    backfill: async (context) => [
      {
        service: 'v2/heart',
        params: {
          action: 'list',
          startdate: String(context.now - context.historyDays * DAY),
          enddate: String(context.now + DAY),
        },
      },
    ],
    // Heart v2 - List has no `lastupdate`: a recording is listed by when it was made, and
    // reaches Withings soon after; a day back covers a late upload.
    since: async (context) => [
      {
        service: 'v2/heart',
        params: {
          action: 'list',
          startdate: String(context.syncedUntil - DAY),
          enddate: String(context.now + DAY),
        },
      },
    ],
    store: listed('series', (db, userid, items) =>
      stored(normaliseHeartRecords(userid, items), (rows) => writeHeartRecords(db, userid, rows)),
    ),
  },
  {
    name: 'activity',
    scope: 'user.activity',
    pages: true,
    backfill: async (context) => [
      {
        service: 'v2/measure',
        params: { action: 'getactivity', ...dayWindow(context), data_fields: ACTIVITY_FIELDS },
      },
    ],
    since: async (context) => [
      {
        service: 'v2/measure',
        params: { action: 'getactivity', ...since(context), data_fields: ACTIVITY_FIELDS },
      },
    ],
    store: listed('activities', (db, userid, items) =>
      stored(normaliseActivityDays(userid, items), (rows) => writeActivityDays(db, userid, rows)),
    ),
  },
  {
    name: 'workouts',
    scope: 'user.activity',
    pages: true,
    backfill: async (context) => [
      {
        service: 'v2/measure',
        params: { action: 'getworkouts', ...dayWindow(context), data_fields: WORKOUT_FIELDS },
      },
    ],
    since: async (context) => [
      {
        service: 'v2/measure',
        params: { action: 'getworkouts', ...since(context), data_fields: WORKOUT_FIELDS },
      },
    ],
    store: listed('series', (db, userid, items) =>
      stored(normaliseWorkouts(userid, items), (rows) => writeWorkouts(db, userid, rows)),
    ),
  },
  {
    name: 'sleep',
    scope: 'user.activity',
    pages: true,
    backfill: async (context) => [
      {
        service: 'v2/sleep',
        params: { action: 'getsummary', ...dayWindow(context), data_fields: SUMMARY_FIELDS },
      },
    ],
    since: async (context) => [
      {
        service: 'v2/sleep',
        params: { action: 'getsummary', ...since(context), data_fields: SUMMARY_FIELDS },
      },
    ],
    store: listed('series', (db, userid, items) =>
      stored(normaliseSleepSummaries(userid, items), (rows) =>
        writeSleepSummaries(db, userid, rows),
      ),
    ),
  },
  {
    // After `sleep`: its windows are the stored periods of the recent nights.
    name: 'sleep_series',
    scope: 'user.activity',
    pages: false,
    backfill: (context) => sleepWindows(context, undefined),
    since: (context) => sleepWindows(context, context.syncedUntil),
    store: listed('series', (db, userid, items) =>
      stored(normaliseSleepSegments(userid, items), (rows) => writeSleepSegments(db, userid, rows)),
    ),
  },
  {
    // One call a day (Withings answers 24 hours at most), for the recent days only.
    name: 'intraday',
    scope: 'user.activity',
    pages: false,
    backfill: async (context) =>
      dayWindows(context.now - context.detailDays * DAY, context.now).map((window) => ({
        service: 'v2/measure' as const,
        params: { action: 'getintradayactivity', ...window, data_fields: INTRADAY_FIELDS },
      })),
    // From an hour before the last catch-up (a late upload), within the recent days.
    since: async (context) =>
      dayWindows(
        Math.max(context.now - context.detailDays * DAY, context.syncedUntil - 3600),
        context.now,
      ).map((window) => ({
        service: 'v2/measure' as const,
        params: { action: 'getintradayactivity', ...window, data_fields: INTRADAY_FIELDS },
      })),
    store: async (db, userid, body) =>
      stored(normaliseIntraday(userid, body.series), (rows) => writeIntraday(db, userid, rows)),
  },
  {
    name: 'devices',
    scope: 'user.info',
    pages: false,
    backfill: async () => [{ service: 'v2/user', params: { action: 'getdevice' } }],
    since: async () => [{ service: 'v2/user', params: { action: 'getdevice' } }],
    store: listed('devices', (db, userid, items) =>
      stored(normaliseDevices(userid, items), (rows) => writeDevices(db, userid, rows)),
    ),
  },
]

export const sourceNamed = (name: string) => SOURCES.find((source) => source.name === name)

/** The sources a grant allows, in import order. */
export function sourcesFor(scope: string): Source[] {
  const granted = new Set(scope.split(','))
  return SOURCES.filter((source) => granted.has(source.scope))
}

/** The sources a notification category announces new data of (§11). */
export const SOURCES_OF_APPLI: Readonly<Record<number, readonly SourceName[]>> = {
  1: ['measures'],
  4: ['measures', 'heart'],
  16: ['activity', 'workouts', 'intraday'],
  44: ['sleep', 'sleep_series'],
}

/** Reads `more`/`offset` of a page: getmeas says `more: 1`, the v2 services `more: true`. */
export function nextOffset(body: Fields, offset: number): number | undefined {
  const more = body.more === true || body.more === 1
  const next = body.offset
  return more && typeof next === 'number' && Number.isSafeInteger(next) && next > offset
    ? next
    : undefined
}

/** Counts of stored records per source for a person (the import's progress). */
export async function countRecords(db: Kysely<SyncSchema>, userid: number) {
  const { rows } = await sql<{ source: SourceName; records: number }>`
    select 'measures' as source, count(distinct grpid)::int as records from measure where userid = ${userid}
    union all select 'heart', count(*)::int from heart_record where userid = ${userid}
    union all select 'activity', count(*)::int from activity_day where userid = ${userid}
    union all select 'workouts', count(*)::int from workout where userid = ${userid}
    union all select 'sleep', count(*)::int from sleep_summary where userid = ${userid}
    union all select 'sleep_series', count(*)::int from sleep_segment where userid = ${userid}
    union all select 'intraday', count(*)::int from intraday_activity where userid = ${userid}
    union all select 'devices', count(*)::int from device where userid = ${userid}`.execute(db)
  return new Map(rows.map((row) => [row.source, row.records]))
}
