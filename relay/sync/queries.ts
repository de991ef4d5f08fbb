import { type Kysely, type Selectable, sql } from 'kysely'
import type { SyncStatus } from '../contract/stored-data'
import type { SyncSchema } from './db/schema'
import { countRecords, sourcesFor } from './jobs/sources'
import type {
  ActivityDay,
  BedEvent,
  Device,
  HeartRecord,
  IntradaySample,
  MeasureRecord,
  SleepSegment,
  SleepSummary,
  Workout,
} from './sync-events'

// Typed reads of a person's stored data, for the app's backend (and the relay's /api/data). A
// person is their Withings userid. Measures are the person's own unless asked otherwise: a
// guest's weighing on their scale (attrib 1) is stored, never counted as theirs.

export interface TimeRange {
  from?: Date
  to?: Date
}

export interface DayRange {
  /** `YYYY-MM-DD`, inclusive. */
  from?: string
  to?: string
}

export interface SyncQueries {
  measures(
    userid: number,
    options?: TimeRange & { types?: readonly number[]; includeGuests?: boolean },
  ): Promise<MeasureRecord[]>
  /** The newest own value of each type (of `types`, or of every type stored). */
  latest(userid: number, types?: readonly number[]): Promise<MeasureRecord[]>
  activity(userid: number, range?: DayRange): Promise<ActivityDay[]>
  /** Sleep periods; nights only unless `naps`. */
  sleep(userid: number, range?: DayRange & { naps?: boolean }): Promise<SleepSummary[]>
  workouts(userid: number, range?: TimeRange): Promise<Workout[]>
  heart(userid: number, range?: TimeRange): Promise<HeartRecord[]>
  intraday(userid: number, range?: TimeRange): Promise<IntradaySample[]>
  sleepSeries(userid: number, range?: TimeRange): Promise<SleepSegment[]>
  devices(userid: number): Promise<Device[]>
  bedEvents(userid: number, range?: TimeRange): Promise<BedEvent[]>
  /** Where the person's import stands. */
  status(userid: number): Promise<SyncStatus>
  /** Everything stored of the person (never a token): what "download my data" gives. */
  exportAll(userid: number): Promise<PersonExport>
}

export interface PersonExport {
  userid: number
  exported_at: string
  connection: { scope: string; status: string; connected_at: Date } | null
  measures: MeasureRecord[]
  activity: ActivityDay[]
  workouts: Workout[]
  sleep: SleepSummary[]
  sleep_series: SleepSegment[]
  intraday: IntradaySample[]
  heart: HeartRecord[]
  devices: Device[]
  bed_events: BedEvent[]
}

const FAR_PAST = new Date(0)
const FAR_FUTURE = new Date('9999-12-31T00:00:00Z')

/** The tables read by a time range, and the column it is on. */
interface TimedTables {
  workout: 'startdate'
  heart_record: 'at'
  intraday_activity: 'at'
  sleep_segment: 'startdate'
  bed_event: 'at'
}

export function createQueries(db: Kysely<SyncSchema>, now: () => number): SyncQueries {
  const within = <T extends { from?: Date; to?: Date }>(range: T | undefined) => ({
    from: range?.from ?? FAR_PAST,
    to: range?.to ?? FAR_FUTURE,
  })

  /** A person's rows of `table` whose `column` is within the range, oldest first. */
  const timed =
    <T extends keyof TimedTables>(table: T, column: TimedTables[T]) =>
    (userid: number, range?: TimeRange): Promise<Selectable<SyncSchema[T]>[]> => {
      const { from, to } = within(range)
      // biome-ignore lint/suspicious/noExplicitAny: one reader for five tables, typed by its caller.
      const untyped = db as unknown as Kysely<any>
      const rows = untyped
        .selectFrom(table)
        .selectAll()
        .where('userid', '=', userid)
        .where(column as string, '>=', from)
        .where(column as string, '<=', to)
        .orderBy(column as string)
        .execute()
      return rows as Promise<Selectable<SyncSchema[T]>[]>
    }

  const queries: SyncQueries = {
    async measures(userid, options = {}) {
      const { from, to } = within(options)
      let query = db
        .selectFrom('measure')
        .selectAll()
        .where('userid', '=', userid)
        .where('measured_at', '>=', from)
        .where('measured_at', '<=', to)
      if (options.types) query = query.where('type', 'in', [...options.types, -1])
      if (!options.includeGuests) query = query.where('is_own', '=', true)
      return query.orderBy('measured_at').orderBy('grpid').orderBy('type').orderBy('seq').execute()
    },

    async latest(userid, types) {
      let query = db
        .selectFrom('measure')
        .selectAll()
        .distinctOn('type')
        .where('userid', '=', userid)
        .where('is_own', '=', true)
        .where('category', '=', 1)
      if (types) query = query.where('type', 'in', [...types, -1])
      return query.orderBy('type').orderBy('measured_at', 'desc').orderBy('seq').execute()
    },

    activity: (userid, range = {}) =>
      db
        .selectFrom('activity_day')
        .selectAll()
        .where('userid', '=', userid)
        .where('date', '>=', range.from ?? '0001-01-01')
        .where('date', '<=', range.to ?? '9999-12-31')
        .orderBy('date')
        .execute(),

    async sleep(userid, range = {}) {
      let query = db
        .selectFrom('sleep_summary')
        .selectAll()
        .where('userid', '=', userid)
        .where('date', '>=', range.from ?? '0001-01-01')
        .where('date', '<=', range.to ?? '9999-12-31')
      if (!range.naps) query = query.where('is_nap', '=', false)
      return query.orderBy('startdate').execute()
    },

    workouts: timed('workout', 'startdate'),

    heart: timed('heart_record', 'at'),

    intraday: timed('intraday_activity', 'at'),

    sleepSeries: timed('sleep_segment', 'startdate'),

    devices: (userid) =>
      db
        .selectFrom('device')
        .selectAll()
        .where('userid', '=', userid)
        .orderBy('deviceid')
        .execute(),

    bedEvents: timed('bed_event', 'at'),

    async status(userid) {
      const [connection, sources, counts, updated] = await Promise.all([
        db
          .selectFrom('withings_connection')
          .select(['status', 'scope'])
          .where('userid', '=', userid)
          .executeTakeFirst(),
        db
          .selectFrom('sync_source')
          .select(['source', 'state'])
          .where('userid', '=', userid)
          .execute(),
        countRecords(db, userid),
        sql<{ at: Date | null }>`select max(updated_at) as at from sync_source
          where userid = ${userid}`.execute(db),
      ])
      const states = new Map(sources.map((row) => [row.source, row.state]))
      const order = sourcesFor(connection?.scope ?? '').map((source) => source.name)
      const listed = [
        ...order,
        ...[...states.keys()].filter((name) => !order.includes(name as never)),
      ]
      const rows = listed
        .filter((name) => states.has(name))
        .map((source) => ({
          source,
          state: states.get(source) ?? 'pending',
          records: counts.get(source as never) ?? 0,
        }))
      const importing = rows.some((row) => row.state === 'pending' || row.state === 'importing')
      const at = updated.rows[0]?.at
      return {
        state:
          connection?.status === 'needs_reauth'
            ? 'needs_reauth'
            : importing
              ? 'importing'
              : 'ready',
        sources: rows,
        updated_at: at ? Math.floor(at.getTime() / 1000) : null,
      }
    },

    async exportAll(userid) {
      const connection = await db
        .selectFrom('withings_connection')
        .select(['scope', 'status', 'connected_at'])
        .where('userid', '=', userid)
        .executeTakeFirst()
      const [measures, activity, workouts, sleep, sleepSeries, intraday, heart, devices, bed] =
        await Promise.all([
          queries.measures(userid, { includeGuests: true }),
          queries.activity(userid),
          queries.workouts(userid),
          queries.sleep(userid, { naps: true }),
          queries.sleepSeries(userid),
          queries.intraday(userid),
          queries.heart(userid),
          queries.devices(userid),
          queries.bedEvents(userid),
        ])
      return {
        userid,
        exported_at: new Date(now()).toISOString(),
        connection: connection ?? null,
        measures,
        activity,
        workouts,
        sleep,
        sleep_series: sleepSeries,
        intraday,
        heart,
        devices,
        bed_events: bed,
      }
    },
  }
  return queries
}
