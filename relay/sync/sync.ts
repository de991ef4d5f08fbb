// withings-link/sync: the person's Withings data in the app's own Postgres (embedded PGlite or a
// server): a token vault, an import on connect, a fetch on every notification, typed records and
// queries, and an event per stored change. Hand it to the relay: `createRelay(config, { sync })`.

export {
  ATTRIBUTIONS,
  attributionName,
  decodedValue,
  MEASURE_TYPES,
  type MeasureType,
  type MeasureTypeId,
  measureType,
  OWN_ATTRIBUTIONS,
} from '../contract/measure-catalogue'
export type {
  DataQuery,
  StoredActivityDay,
  StoredData,
  StoredKind,
  StoredMeasure,
  StoredNews,
  StoredSleepPeriod,
  SyncStatus,
} from '../contract/stored-data'
export type {
  RelayForSync,
  SyncHooks,
  SyncPort,
  TokenVault,
  VaultEntry,
  VaultTokens,
} from '../core/sync/sync-port'
export { createSync, type Sync, type SyncOptions } from './create-sync'
export { DataDirInUse } from './db/datadir-lock'
export {
  type DatabaseOptions,
  openSyncDatabase,
  PGLITE_PG_VERSION,
  type SyncDatabase,
} from './db/open-database'
export type { EmbeddedPostgres } from './db/pglite-dialect'
export type {
  ActivityDayTable,
  BedEventTable,
  ConnectionTable,
  DeviceTable,
  HeartRecordTable,
  IntradayActivityTable,
  JobTable,
  Json,
  JsonOrNull,
  MeasureTable,
  Now,
  SleepSegmentTable,
  SleepSummaryTable,
  SourceState,
  SyncEventTable,
  SyncSchema,
  SyncSourceTable,
  WorkoutTable,
} from './db/schema'
export type { WebhookOptions } from './delivery/webhook-deliveries'
export type { DayRange, PersonExport, SyncQueries, TimeRange } from './queries'
export type {
  ActivityDay,
  BedEvent,
  Delivered,
  Device,
  EventRecord,
  HeartRecord,
  IntradaySample,
  MeasureRecord,
  Records,
  SleepSegment,
  SleepSummary,
  SyncEvent,
  SyncEventType,
  Workout,
} from './sync-events'
