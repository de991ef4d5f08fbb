// withings-link/emulator: a local Withings for tests and demos, as a Web-standard fetch handler
// (`createEmulator({ clients })`, then serve `emulator.fetch` or call it in process).

export { createEmulator, type Emulator, type EmulatorOptions } from './app'
export type { EmulatorClient } from './clients'
export type { LatestMeasure, SeedData, UserData } from './data/seed-data'
export type { RawConnection } from './fault-response'
export type { ActiveFault, Fault, FaultController, FaultOptions, FaultTarget } from './faults'
export type { OutgoingFetch } from './notify/callback-check'
export type { AttemptOutcome, Delivery, DeliveryAttempt } from './notify/deliveries'
export type { NotifyEvent, Triggered } from './notify/events'
export type { Scheduler } from './notify/scheduler'
export type { EmulatorNotifications } from './notify/service'
export type { Subscription } from './notify/subscriptions'
export type { EmulatorRequestLog, RequestCounts, RequestLogEntry } from './request-log'
export type { SeededUser } from './users'
