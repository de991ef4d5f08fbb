// withings-link/relay: the relay as a Web-standard Hono app, for any runtime Hono runs on. Mount
// it in an app (`app.route('/', relay)`) or call `relay.fetch(request)`; it answers under /api.

export {
  ERROR_CODES,
  type ErrorBody,
  type ErrorCode,
  type LogoutResult,
  type PublicConfig,
  SCOPES,
  type Scope,
  type SessionView,
} from '../contract/wire-contract'
export {
  ConfigError,
  type ConfigFromEnvOptions,
  type ConfigOptions,
  configFromEnv,
  type EmulatedWithings,
  type Env,
  type RelayConfig,
  type SyncConfig,
  type WebhookConfig,
} from './config'
export { createRelay, type RelayDeps } from './create-relay'
export type { ConnectionAddress } from './http/client-address'
export type { ReadinessCheck } from './http/readiness'
export type { Logger, LogLine, RelayEnv } from './http/request-log'
export {
  bunConnectionAddress,
  cloudflareConnectionAddress,
  denoConnectionAddress,
} from './http/runtime-addresses'
export type { EventStreamLimits } from './notify/event-streams'
export type { Pause } from './notify/subscriptions'
export type { CipherFactory, CookieCipher } from './seal'
export { createMemoryStore, type MemoryStoreOptions } from './store/memory-store'
export {
  type Counter,
  type SharedStore,
  StoreUnavailable,
  type TakeResult,
  type ValueOptions,
} from './store/shared-store'
export type { TelemetryProviders } from './telemetry/telemetry'
export type { UpstreamAnswer, UpstreamFetch, UpstreamRequest } from './withings/upstream'
