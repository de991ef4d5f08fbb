import type { ColumnType, Generated } from 'kysely'

// The tables of migrations.ts as Kysely sees them (docs/sync-schema.md says what each column
// holds). Times are `timestamptz` (a Date), days `date` (`YYYY-MM-DD`), JSON columns are written
// as JSON text and read back parsed.

export type Json = ColumnType<unknown, string, string>
export type JsonOrNull = ColumnType<unknown, string | null, string | null>
export type Now = ColumnType<Date, Date | undefined, Date>

export interface ConnectionTable {
  userid: number
  scope: string
  sealed_tokens: string
  status: ColumnType<'active' | 'needs_reauth', 'active' | 'needs_reauth' | undefined>
  refresh_lease_until: Date | null
  refresh_lease_by: string | null
  connected_at: Now
  updated_at: Now
}

export type SourceState = 'pending' | 'importing' | 'done' | 'failed'

export interface SyncSourceTable {
  userid: number
  source: string
  state: ColumnType<SourceState, SourceState | undefined>
  synced_until: number | null
  cursor: JsonOrNull
  error: string | null
  started_at: Now
  finished_at: Date | null
  updated_at: Now
}

export interface JobTable {
  id: Generated<number>
  queue: string
  payload: Json
  dedupe_key: string | null
  state: ColumnType<'ready' | 'running' | 'done' | 'failed', undefined, string>
  attempts: Generated<number>
  max_attempts: Generated<number>
  run_at: Now
  locked_by: string | null
  locked_until: Date | null
  last_error: string | null
  created_at: Now
  updated_at: Now
}

export interface MeasureTable {
  grpid: number
  type: number
  seq: number
  userid: number
  type_name: string | null
  unit: string | null
  value: number
  raw_value: number
  raw_unit: number
  position: number | null
  measured_at: Date
  attrib: number
  attribution: string
  is_own: boolean
  category: number
  deviceid: string | null
  hash_deviceid: string | null
  model: string | null
  modelid: number | null
  timezone: string | null
  comment: string | null
  created_at: Date | null
  modified_at: Date | null
}

export interface ActivityDayTable {
  userid: number
  date: string
  timezone: string | null
  deviceid: string | null
  hash_deviceid: string | null
  brand: number | null
  is_tracker: boolean | null
  model: string | null
  modelid: number | null
  steps: number | null
  distance: number | null
  elevation: number | null
  soft: number | null
  moderate: number | null
  intense: number | null
  active: number | null
  calories: number | null
  totalcalories: number | null
  hr_average: number | null
  hr_min: number | null
  hr_max: number | null
  hr_zone_0: number | null
  hr_zone_1: number | null
  hr_zone_2: number | null
  hr_zone_3: number | null
  modified_at: Date | null
  raw: Json
}

export interface WorkoutTable {
  id: number
  userid: number
  category: number
  attrib: number | null
  startdate: Date
  enddate: Date
  date: string | null
  timezone: string | null
  model: number | null
  deviceid: string | null
  calories: number | null
  steps: number | null
  distance: number | null
  elevation: number | null
  hr_average: number | null
  hr_min: number | null
  hr_max: number | null
  modified_at: Date | null
  data: Json
  raw: Json
}

export interface SleepSummaryTable {
  id: number
  userid: number
  date: string
  startdate: Date
  enddate: Date
  timezone: string | null
  model: number | null
  model_id: number | null
  hash_deviceid: string | null
  starts_after_midday: boolean
  is_nap: ColumnType<boolean, boolean | undefined>
  total_timeinbed: number | null
  total_sleep_time: number | null
  lightsleepduration: number | null
  deepsleepduration: number | null
  remsleepduration: number | null
  sleep_efficiency: number | null
  sleep_score: number | null
  hr_average: number | null
  rr_average: number | null
  wakeupcount: number | null
  created_at: Date | null
  modified_at: Date | null
  data: Json
  raw: Json
}

export interface SleepSegmentTable {
  userid: number
  startdate: Date
  enddate: Date
  state: number
  model: string | null
  model_id: number | null
  signals: JsonOrNull
}

export interface IntradayActivityTable {
  userid: number
  at: Date
  steps: number | null
  elevation: number | null
  calories: number | null
  distance: number | null
  duration: number | null
  heart_rate: number | null
  spo2_auto: number | null
  deviceid: string | null
  model: string | null
  model_id: number | null
  raw: Json
}

export interface HeartRecordTable {
  signalid: number
  userid: number
  at: Date
  deviceid: string | null
  model: number | null
  afib: number | null
  diastole: number | null
  systole: number | null
  heart_rate: number | null
  timezone: string | null
  modified_at: Date | null
  raw: Json
}

export interface DeviceTable {
  userid: number
  deviceid: string
  hash_deviceid: string | null
  type: string | null
  model: string | null
  model_id: number | null
  battery: string | null
  timezone: string | null
  first_session_date: Date | null
  last_session_date: Date | null
  raw: Json
}

export interface BedEventTable {
  userid: number
  appli: number
  kind: string
  at: Date
  deviceid: string | null
  received_at: Now
}

export interface SyncEventTable {
  id: Generated<number>
  webhook_id: Generated<string>
  type: string
  userid: number
  data: Json
  dedupe_key: string | null
  created_at: Now
}

export interface SyncSchema {
  withings_connection: ConnectionTable
  sync_source: SyncSourceTable
  job: JobTable
  measure: MeasureTable
  activity_day: ActivityDayTable
  workout: WorkoutTable
  sleep_summary: SleepSummaryTable
  sleep_segment: SleepSegmentTable
  intraday_activity: IntradayActivityTable
  heart_record: HeartRecordTable
  device: DeviceTable
  bed_event: BedEventTable
  sync_event: SyncEventTable
}
