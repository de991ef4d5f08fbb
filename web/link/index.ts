// withings-link/react: "Connect Withings" for a React app. Wrap the app in WithingsLinkProvider,
// put WithingsCallback on the redirect URI's route and WithingsSessionRoute around the others,
// then read the connection with useWithings() and offer ConnectWithings where it is missing.

export type {
  DataAction,
  DataService,
  ErrorCode,
  LogoutResult,
  PublicConfig,
  Scope,
  SessionView,
} from '../../relay/contract'
export { SCOPES } from '../../relay/contract'
export type { ProblemCode } from './auth/problems'
export { asRelayError, RelayRequestError } from './auth/relay-client'
export type { Farewell, SessionState } from './auth/session-store'
export type { Params, ParamValue, WithingsData } from './auth/withings-data'
export { explain, type NextStep } from './copy/error-messages'
export { SCOPE_TABLE, type ScopeInfo } from './copy/scope-table'
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
export { useRestoreSession, useWithings, type WithingsConnection } from './use-withings'
