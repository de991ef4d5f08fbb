import { type Kysely, sql } from 'kysely'
import type { SyncSchema } from '../db/schema'
import type { Change } from '../sync-events'
import type { ActivityDayRow, IntradayRow } from './normalise-activity'
import type { DeviceRow, HeartRow } from './normalise-heart'
import type { MeasureGroupRows } from './normalise-measures'
import type { SleepSegmentRow, SleepSummaryRow } from './normalise-sleep'
import type { WorkoutRow } from './normalise-workouts'
import { type Changed, upsertRows } from './upsert'

// Each kind of record written as its page arrives, in the caller's transaction, answering the
// changes it made (none for a page already stored), which the outbox makes events.

type Db = Kysely<SyncSchema>

/**
 * A measure group is stored whole: when Withings changed it (its `modified` moved: "every time a
 * measure is created, updated or deleted, the corresponding measure group is updated",
 * reference), its values are replaced, so a value Withings dropped leaves the store too.
 */
export async function writeMeasureGroups(
  db: Db,
  userid: number,
  listed: readonly MeasureGroupRows[],
): Promise<Change[]> {
  // A group listed twice in one answer is one group: the last listing is kept.
  const groups = [...new Map(listed.map((group) => [group.grpid, group])).values()]
  if (groups.length === 0) return []
  const stored = await db
    .selectFrom('measure')
    .select(['grpid', sql<Date | null>`max(modified_at)`.as('modified')])
    .where(
      'grpid',
      'in',
      groups.map((group) => group.grpid),
    )
    .groupBy('grpid')
    .execute()
  const known = new Map(stored.map((row) => [row.grpid, row.modified?.getTime() ?? null]))
  const created: MeasureGroupRows[] = []
  const updated: MeasureGroupRows[] = []
  for (const group of groups) {
    if (!known.has(group.grpid)) created.push(group)
    else if (known.get(group.grpid) !== (group.modified?.getTime() ?? null)) updated.push(group)
  }
  const replaced = [...created, ...updated]
  if (replaced.length === 0) return []
  if (updated.length > 0) {
    const changed = updated.map((group) => group.grpid)
    await db.deleteFrom('measure').where('grpid', 'in', changed).execute()
  }
  const rows = replaced.flatMap((group) => group.rows)
  await upsertRows(db, 'measure', ['grpid', 'type', 'seq'], rows, ['raw_value', 'raw_unit'])
  const events: Change[] = []
  const recordsOf = (list: MeasureGroupRows[]) => list.flatMap((group) => group.rows)
  if (created.length > 0) {
    events.push({ type: 'measures.created', userid, records: recordsOf(created) })
  }
  if (updated.length > 0) {
    events.push({ type: 'measures.updated', userid, records: recordsOf(updated) })
  }
  return events
}

export async function writeActivityDays(db: Db, userid: number, rows: ActivityDayRow[]) {
  const changed = await upsertRows(db, 'activity_day', ['userid', 'date'], rows, ['raw'])
  return eventsOf(changed, (records) => ({ type: 'activity.updated', userid, records }))
}

export async function writeIntraday(db: Db, userid: number, rows: IntradayRow[]) {
  const changed = await upsertRows(db, 'intraday_activity', ['userid', 'at'], rows, ['raw'])
  return eventsOf(changed, (records) => ({ type: 'intraday.updated', userid, records }))
}

export async function writeWorkouts(db: Db, userid: number, rows: WorkoutRow[]) {
  const changed = await upsertRows(db, 'workout', ['id'], rows, ['raw'])
  return splitEvents(changed, userid, 'workouts.created', 'workouts.updated')
}

export async function writeHeartRecords(db: Db, userid: number, rows: HeartRow[]) {
  const changed = await upsertRows(db, 'heart_record', ['signalid'], rows, ['raw'])
  return splitEvents(changed, userid, 'heart.created', 'heart.updated')
}

export async function writeDevices(db: Db, userid: number, rows: DeviceRow[]) {
  const changed = await upsertRows(db, 'device', ['userid', 'deviceid'], rows, ['raw'])
  return eventsOf(changed, (records) => ({ type: 'devices.updated', userid, records }))
}

export async function writeSleepSegments(db: Db, userid: number, rows: SleepSegmentRow[]) {
  const changed = await upsertRows(db, 'sleep_segment', ['userid', 'startdate'], rows, [
    'enddate',
    'state',
    'signals',
  ])
  return eventsOf(changed, (records) => ({ type: 'sleep_series.updated', userid, records }))
}

/**
 * Sleep periods, then which of their days' periods are naps: one that began after its day's
 * midday is, and of the others the longest in bed is the night (a night's wake-ups stay inside
 * its summary: `waso`, `out_of_bed_count`), so a late-morning nap is not taken for it.
 */
export async function writeSleepSummaries(db: Db, userid: number, rows: SleepSummaryRow[]) {
  const changed = await upsertRows(db, 'sleep_summary', ['id'], rows, ['raw'])
  const days = [...new Set(rows.map((row) => row.date))]
  if (days.length > 0) {
    await sql`update sleep_summary s set is_nap = s.starts_after_midday or s.id <> (
        select t.id from sleep_summary t
        where t.userid = s.userid and t.date = s.date and not t.starts_after_midday
        order by t.enddate - t.startdate desc, t.id limit 1)
      where s.userid = ${userid} and s.date = any(${days}::date[])`.execute(db)
  }
  if (changed.length === 0) return []
  const records = await db
    .selectFrom('sleep_summary')
    .selectAll()
    .where(
      'id',
      'in',
      changed.map(({ row }) => row.id),
    )
    .orderBy('startdate')
    .execute()
  return [{ type: 'sleep.updated', userid, records } satisfies Change]
}

function eventsOf<R extends object>(
  changed: Changed<R>[],
  make: (records: R[]) => Change,
): Change[] {
  return changed.length === 0 ? [] : [make(changed.map(({ row }) => row))]
}

function splitEvents<R extends object>(
  changed: Changed<R>[],
  userid: number,
  created: 'workouts.created' | 'heart.created',
  updated: 'workouts.updated' | 'heart.updated',
): Change[] {
  const events: Change[] = []
  const made = changed.filter((change) => change.created).map(({ row }) => row)
  const changedOnly = changed.filter((change) => !change.created).map(({ row }) => row)
  if (made.length > 0) events.push({ type: created, userid, records: made })
  if (changedOnly.length > 0) events.push({ type: updated, userid, records: changedOnly })
  return events
}
