// The relay's HTTP contract, shared with the SPA: types, constants and pure helpers. The one
// import point for web/react and relay/*; the files behind it import nothing but each other, so
// that a page may use them without pulling relay code into its bundle.

export type { LogoutResult, SessionView } from './auth-answers'
export { decodeBase64url, encodeBase64url } from './base64url'
export { constantTimeEqual } from './constant-time'
export { CUSTOM_HEADER, CUSTOM_HEADER_VALUE } from './custom-header'
export { DATA_ACTIONS, type DataAction, type DataService } from './data-actions'
export { ERROR_CODES, type ErrorBody, type ErrorCode, isErrorCode } from './error-codes'
export { type LiveNotification, parseLiveNotification } from './live-notification'
export { CODE_LIFETIME_SECONDS, PENDING_LOGIN_SECONDS } from './login-lifetimes'
export {
  NOTIFY_FAILURES,
  type NotifyCategoryStatus,
  type NotifyFailure,
  type NotifyStatus,
} from './notify-answers'
export {
  type Appli,
  type BedAppli,
  type BedEventKind,
  categoriesOf,
  type DataAppli,
  NOTIFY_CATEGORIES,
  type NotifyCategory,
} from './notify-categories'
export type { PublicConfig } from './public-config'
export { SCOPES, type Scope } from './scopes'
