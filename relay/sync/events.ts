import type { Selectable } from 'kysely'
import type {
  ActivityDayTable,
  BedEventTable,
  DeviceTable,
  HeartRecordTable,
  IntradayActivityTable,
  MeasureTable,
  SleepSegmentTable,
  SleepSummaryTable,
  WorkoutTable,
} from './db/schema'

// What the sync tells the app (`onEvent`), once per stored change: new or changed records, and
// what happened to a connection. The names are those of the webhooks to come (DESIGN §14).

export type MeasureRecord = Selectable<MeasureTable>
export type ActivityDay = Selectable<ActivityDayTable>
export type Workout = Selectable<WorkoutTable>
export type SleepSummary = Selectable<SleepSummaryTable>
export type SleepSegment = Selectable<SleepSegmentTable>
export type IntradaySample = Selectable<IntradayActivityTable>
export type HeartRecord = Selectable<HeartRecordTable>
export type Device = Selectable<DeviceTable>
export type BedEvent = Selectable<BedEventTable>

export type SyncEvent =
  | { type: 'connection.created'; userid: number }
  | { type: 'connection.needs_reauth'; userid: number }
  | { type: 'connection.deleted'; userid: number; dataDeleted: boolean }
  | { type: 'backfill.completed'; userid: number }
  | { type: 'measures.created' | 'measures.updated'; userid: number; records: MeasureRecord[] }
  | { type: 'activity.updated'; userid: number; records: ActivityDay[] }
  | { type: 'intraday.updated'; userid: number; records: IntradaySample[] }
  | { type: 'workouts.created' | 'workouts.updated'; userid: number; records: Workout[] }
  | { type: 'sleep.updated'; userid: number; records: SleepSummary[] }
  | { type: 'sleep_series.updated'; userid: number; records: SleepSegment[] }
  | { type: 'heart.created' | 'heart.updated'; userid: number; records: HeartRecord[] }
  | { type: 'devices.updated'; userid: number; records: Device[] }
  | { type: 'bed.in' | 'bed.out' | 'bed.inflate_done'; userid: number; records: BedEvent[] }

export type SyncEventType = SyncEvent['type']
