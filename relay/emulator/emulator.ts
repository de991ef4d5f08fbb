// withings-link/emulator: a local Withings for tests and demos, as a Web-standard fetch handler
// (`createEmulator({ clients })`, then serve `emulator.fetch` or call it in process).

export type { EmulatorClient } from './clients'
export {
  createEmulator,
  type Emulator,
  type EmulatorOptions,
  type EmulatorSnapshot,
} from './create-emulator'
export type { Activity } from './data/activity'
export type { HeartRecord } from './data/heart'
export type { Measure, MeasureGroup } from './data/measure'
export type { Device, Devices } from './data/seed-context'
export type { LatestMeasure, SeedData, UserData } from './data/seed-data'
export type { SleepData, SleepSummary } from './data/sleep'
export type { Goals } from './data/user'
export type { Workout } from './data/workouts'
export type { RawConnection } from './fault-response'
export type { ActiveFault, Fault, FaultController, FaultOptions, FaultTarget } from './faults'
export type { AttemptOutcome, Delivery, DeliveryAttempt } from './notify/deliveries'
export type { NotifyEvent, Triggered } from './notify/events'
export type { EmulatorNotifications } from './notify/notify-service'
export type { OutgoingFetch } from './notify/outgoing-call'
export type { Scheduler } from './notify/scheduler'
export type { Subscription } from './notify/subscription-store'
export type {
  EmulatorRequestLog,
  RequestCounts,
  RequestFilter,
  RequestLogEntry,
} from './recorded-requests'
export type { AccessRecord, Grant, RefreshRecord, TokenSnapshot } from './token-store'
export type { SeededUser } from './users'
