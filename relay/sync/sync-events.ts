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

// What the sync tells the app's backend, once per stored change: as a webhook (Standard Webhooks,
// docs/webhooks.md) and to `onEvent`, the same event either way. Each is written to the outbox
// (`sync_event`) in the transaction that stored the change, and delivered from it at least once,
// with the same `id` (the webhook-id) every time: a consumer that remembers ids sees each once.

// The stored records, as the typed queries answer them.
export type MeasureRecord = Selectable<MeasureTable>
export type ActivityDay = Selectable<ActivityDayTable>
export type Workout = Selectable<WorkoutTable>
export type SleepSummary = Selectable<SleepSummaryTable>
export type SleepSegment = Selectable<SleepSegmentTable>
export type IntradaySample = Selectable<IntradayActivityTable>
export type HeartRecord = Selectable<HeartRecordTable>
export type Device = Selectable<DeviceTable>
export type BedEvent = Selectable<BedEventTable>

/**
 * A stored record as an event carries it (JSON): the typed columns, times as ISO 8601 strings,
 * without Withings' raw answer (kept in its table).
 */
export type EventRecord<T> = {
  [K in Exclude<keyof T, 'raw'>]: T[K] extends Date
    ? string
    : T[K] extends Date | null
      ? string | null
      : T[K]
}

export interface Delivered<T extends string, D> {
  /** The webhook-id: the same on every delivery of this event. */
  id: string
  type: T
  /** When the change was stored (ISO 8601). */
  timestamp: string
  data: { userid: number } & D
}

export type Records<R> = { records: EventRecord<R>[] }

export type SyncEvent =
  | Delivered<'connection.created', { scope: string }>
  | Delivered<'connection.needs_reauth', object>
  | Delivered<'connection.deleted', { data_deleted: boolean }>
  | Delivered<'backfill.completed', object>
  | Delivered<'measures.created' | 'measures.updated', Records<MeasureRecord>>
  | Delivered<'activity.updated', Records<ActivityDay>>
  | Delivered<'intraday.updated', Records<IntradaySample>>
  | Delivered<'workouts.created' | 'workouts.updated', Records<Workout>>
  | Delivered<'sleep.updated', Records<SleepSummary>>
  | Delivered<'sleep_series.updated', Records<SleepSegment>>
  | Delivered<'heart.created' | 'heart.updated', Records<HeartRecord>>
  | Delivered<'devices.updated', Records<Device>>
  | Delivered<'bed.in' | 'bed.out' | 'bed.inflate_done', Records<BedEvent>>

export type SyncEventType = SyncEvent['type']

/** A change as the sync's writers report it, before the outbox makes it an event. */
export interface Change {
  type: SyncEventType
  userid: number
  /** The rows stored (or their insert values); events carry them without `raw`. */
  records?: readonly object[]
  /** Anything else the event's data says (`scope`, `data_deleted`). */
  fields?: Record<string, unknown>
}
