// withings-link/react: "Connect Withings" for a React app. Wrap the app in WithingsLinkProvider,
// put WithingsCallback on the redirect URI's route and WithingsSessionRoute around the others,
// then read the connection with useWithings() and offer ConnectWithings where it is missing.
// What an app names, and nothing else: the kit's parts (relay client, session store, live stream)
// stay behind these hooks. docs/api/react.api.md is the surface, checked by the suite.

export {
  STORED_KINDS,
  type StoredActivityDay,
  type StoredKind,
  type StoredMeasure,
  type StoredNews,
  type StoredSleepPeriod,
  type SyncStatus,
} from '../../relay/contract/stored-data'
export type {
  Appli,
  BedAppli,
  BedEventKind,
  DataAction,
  DataAppli,
  DataService,
  ErrorCode,
  LiveNotification,
  LogoutResult,
  NotifyCategory,
  NotifyCategoryStatus,
  NotifyFailure,
  NotifyStatus,
  PublicConfig,
  Scope,
  SessionView,
} from '../../relay/contract/wire-contract'
export {
  categoriesOf,
  DATA_ACTIONS,
  ERROR_CODES,
  NOTIFY_CATEGORIES,
  NOTIFY_FAILURES,
  SCOPES,
} from '../../relay/contract/wire-contract'
export type { LoginOutcome } from './auth/complete-login'
export type { CallbackProblem, ProblemCode } from './auth/problems'
export {
  asRelayError,
  type ClientErrorCode,
  type RelayClient,
  RelayRequestError,
} from './auth/relay-client'
export type { SessionChannel, SessionMessage } from './auth/session-channel'
export type { Farewell, SessionState } from './auth/session-store'
export type { StoredDataClient } from './auth/stored-data-client'
export type { Params, ParamValue, WithingsData } from './auth/withings-data'
export { type Explanation, explain, type NextStep } from './copy/error-messages'
export { NOTIFY_FAILURE_SENTENCES } from './copy/notify-messages'
export { SCOPE_TABLE, type ScopeInfo } from './copy/scope-table'
export type { EventSourceLike, LiveEvent, LiveStatus } from './live/live-events'
export {
  type ConnectOptions,
  createWithingsLink,
  type WithingsLink,
  type WithingsLinkOptions,
  WithingsLinkProvider,
} from './provider'
export { ConnectWithings, type ConnectWithingsProps } from './ui/ConnectWithings'
export { ProblemNotice } from './ui/ProblemNotice'
export { usePublicConfig } from './ui/use-public-config'
export { type RelayDataState, useRelayData } from './ui/use-relay-data'
export { WithingsCallback } from './ui/WithingsCallback'
export { WithingsSessionRoute } from './ui/WithingsSessionRoute'
export { type BedState, useBedState, useLiveEvents, useNotified } from './use-live'
export { useRestoreSession, useWithings, type WithingsConnection } from './use-withings'
