// withings-link/react: "Connect Withings" for a React app. Wrap the app in WithingsLinkProvider,
// put WithingsCallback on the redirect URI's route and WithingsSessionRoute around the others,
// then read the connection with useWithings() and offer ConnectWithings where it is missing.

export type {
  Appli,
  BedEventKind,
  DataAction,
  DataAppli,
  DataService,
  ErrorCode,
  LiveNotification,
  LogoutResult,
  NotifyCategoryStatus,
  NotifyFailure,
  NotifyStatus,
  PublicConfig,
  Scope,
  SessionView,
} from '../../relay/contract/wire-contract'
export { categoriesOf, NOTIFY_CATEGORIES, SCOPES } from '../../relay/contract/wire-contract'
export type { ProblemCode } from './auth/problems'
export { asRelayError, RelayRequestError } from './auth/relay-client'
export type { Farewell, SessionState } from './auth/session-store'
export type { Params, ParamValue, WithingsData } from './auth/withings-data'
export { explain, type NextStep } from './copy/error-messages'
export { NOTIFY_FAILURE_SENTENCES } from './copy/notify-messages'
export { SCOPE_TABLE, type ScopeInfo } from './copy/scope-table'
export type { EventSourceLike, LiveEvent, LiveEvents, LiveStatus } from './live/live-events'
export {
  type ConnectOptions,
  createWithingsLink,
  useWithingsLink,
  type WithingsLinkKit,
  type WithingsLinkOptions,
  WithingsLinkProvider,
} from './provider'
export { ConnectWithings, type ConnectWithingsProps } from './ui/ConnectWithings'
export { ProblemNotice } from './ui/ProblemNotice'
export { type AsyncState, useAsync } from './ui/use-async'
export { WithingsCallback } from './ui/WithingsCallback'
export { WithingsSessionRoute } from './ui/WithingsSessionRoute'
export { type BedState, useBedState, useLiveEvents, useNotified } from './use-live'
export { useRestoreSession, useWithings, type WithingsConnection } from './use-withings'
