// The relay's HTTP contract, shared with the SPA: types, constants and pure helpers, with no
// imports, so web/ may use this file without pulling relay code into its bundle.

/**
 * What a page learns of its connection. No token: Withings refuses browser calls, so the page
 * reaches Withings only through the relay, which keeps both tokens sealed in the session cookie.
 */
export interface SessionView {
  /** Withings sends userid as a number or a string; the relay always hands out a string. */
  userid: string
  /** Scopes the person actually granted, comma-separated as Withings writes them. */
  scope: string
  /** Seconds since the Unix epoch at which the access token stops working. */
  expires_at: number
  /** From this moment the relay refreshes the access token on the next request that needs it. */
  refresh_at: number
  /** The session's absolute end, counted from the login and kept across refreshes. */
  session_ends_at: number
}

/** What `POST /api/auth/logout` answers: the cookies are gone either way. */
export interface LogoutResult {
  /** True once Withings revoked the app's access (both tokens dead, notifications unsubscribed). */
  withings_informed: boolean
  /**
   * When Withings could not be told: a sealed, short-lived ticket that lets this page retry
   * (`POST /api/auth/revoke {ticket}`); it allows nothing but revoking this person's grant.
   */
  revoke_ticket?: string
  /** Seconds to wait before that retry, when Withings said so. */
  retry_after?: number
}

/** Public, non-secret settings the SPA needs to build the authorize URL (`GET /api/config`). */
export interface PublicConfig {
  client_id: string
  redirect_uri: string
  authorize_url: string
  /** True when the relay talks to the built-in emulator rather than Withings. */
  emulator: boolean
  /** True when the relay keeps the person's data (withings-link/sync): pages read `/api/data`. */
  sync?: boolean
}

/**
 * Every error code the relay answers with, its HTTP status, and whether the same request may
 * succeed later without the person doing anything else (`retryable`). One table for the relay's
 * answers and the SPA's next steps.
 */
export const ERROR_CODES = {
  bad_request: { status: 400, retryable: false },
  unsupported_media_type: { status: 415, retryable: false },
  payload_too_large: { status: 413, retryable: false },
  forbidden_origin: { status: 403, retryable: false },
  not_found: { status: 404, retryable: false },
  invalid_state: { status: 400, retryable: false },
  login_cookie_missing: { status: 400, retryable: false },
  code_expired: { status: 400, retryable: false },
  redirect_uri_mismatch: { status: 502, retryable: false },
  invalid_client: { status: 502, retryable: false },
  session_expired: { status: 401, retryable: false },
  scope_denied: { status: 403, retryable: false },
  /** Withings asked to slow down (status 601), or one address made too many requests. */
  rate_limited: { status: 429, retryable: true },
  /** The relay's own budget of calls to Withings, for the whole app, is spent for now. */
  relay_busy: { status: 429, retryable: true },
  /** Too many sign-ins Withings refused (made-up or replayed codes), from this address or all. */
  sign_ins_limited: { status: 429, retryable: true },
  /** Disconnect could not record the session's end: nothing changed, and it can be tried again. */
  disconnect_incomplete: { status: 503, retryable: true },
  /** Withings' tokens are too long to keep in a cookie: the connection was undone at Withings. */
  tokens_too_long: { status: 502, retryable: false },
  upstream_timeout: { status: 504, retryable: true },
  upstream_unavailable: { status: 502, retryable: true },
  upstream_error: { status: 502, retryable: false },
  shutting_down: { status: 503, retryable: true },
  relay_unavailable: { status: 503, retryable: true },
  internal_error: { status: 500, retryable: false },
} as const satisfies Record<string, { status: number; retryable: boolean }>

export type ErrorCode = keyof typeof ERROR_CODES

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value)
}

export interface ErrorBody {
  error: {
    code: ErrorCode
    /** A sentence for developers, written by the relay: never Withings' own error text. */
    message: string
    retryable: boolean
    /** Seconds to wait before trying again, when the relay or Withings said so. */
    retry_after?: number
  }
}

/** The static header every mutating call must carry: a cross-site form cannot set it. */
export const CUSTOM_HEADER = 'X-Withings-Link'
export const CUSTOM_HEADER_VALUE = '1'

/** Withings scopes, in the order of their documentation table. */
export const SCOPES = ['user.info', 'user.metrics', 'user.activity', 'user.sleepevents'] as const
export type Scope = (typeof SCOPES)[number]

/** Withings' code lifetime: the exchange has to finish inside this budget. */
export const CODE_LIFETIME_SECONDS = 30
/** How long a pending login (state) stays valid, in the SPA and in the login cookie. */
export const PENDING_LOGIN_SECONDS = 600

/** Base64url without padding (RFC 4648 §5): how the SPA spells a state, and the relay a seal. */
export function encodeBase64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

/** Equal-time string comparison, so a wrong state or secret reveals nothing through timing. */
export function constantTimeEqual(a: string, b: string): boolean {
  let difference = a.length ^ b.length
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    difference |= (a.charCodeAt(i) || 0) ^ (b.charCodeAt(i) || 0)
  }
  return difference === 0
}

/**
 * The Withings data services the relay forwards (`POST /api/withings/{service}`), each with the
 * only actions it lets through (Withings' scope table names them).
 */
export const DATA_ACTIONS = {
  measure: ['getmeas'],
  'v2/measure': ['getactivity', 'getintradayactivity', 'getworkouts'],
  'v2/sleep': ['get', 'getsummary'],
  'v2/heart': ['list', 'get'],
  'v2/user': ['getdevice', 'getgoals'],
} as const
export type DataService = keyof typeof DATA_ACTIONS
export type DataAction<S extends DataService = DataService> = (typeof DATA_ACTIONS)[S][number]

/**
 * The notification categories (`appli`) the relay subscribes a person to, each with the scope
 * that allows it (Withings' notification overview; categories as aiowithings'
 * NotificationCategory). Data categories announce a time range to re-read; events say when.
 */
export const NOTIFY_CATEGORIES = [
  { appli: 1, scope: 'user.metrics', kind: 'data', name: 'Weight and body composition' },
  { appli: 4, scope: 'user.metrics', kind: 'data', name: 'Blood pressure, heart rate and SpO2' },
  { appli: 16, scope: 'user.activity', kind: 'data', name: 'Activity' },
  { appli: 44, scope: 'user.activity', kind: 'data', name: 'Sleep' },
  { appli: 50, scope: 'user.sleepevents', kind: 'bed_in', name: 'Bed in' },
  { appli: 51, scope: 'user.sleepevents', kind: 'bed_out', name: 'Bed out' },
  { appli: 52, scope: 'user.sleepevents', kind: 'inflate_done', name: 'Inflate done' },
] as const satisfies readonly { appli: number; scope: Scope; kind: string; name: string }[]

export type NotifyCategory = (typeof NOTIFY_CATEGORIES)[number]
export type Appli = NotifyCategory['appli']
export type DataAppli = Extract<NotifyCategory, { kind: 'data' }>['appli']
export type BedEventKind = Exclude<NotifyCategory['kind'], 'data'>
export type BedAppli = Extract<NotifyCategory, { kind: BedEventKind }>['appli']

/** The categories a grant (comma-separated scopes, as Withings writes them) allows. */
export function categoriesOf(scope: string): NotifyCategory[] {
  const granted = new Set(scope.split(','))
  return NOTIFY_CATEGORIES.filter((category) => granted.has(category.scope))
}

/**
 * What reaches the person's open pages (`GET /api/events`, event `notify`) when Withings
 * notifies: a hint, never data. A data category says which range to re-read through the proxy;
 * a bed event says when it happened (Unix seconds, as Withings sent it).
 */
export type LiveNotification =
  | { appli: DataAppli; kind: 'data'; startdate: number; enddate: number }
  | { appli: BedAppli; kind: BedEventKind; date: number }

/** A notification as JSON gave it back (the stream's data, a message between instances). */
export function parseLiveNotification(value: unknown): LiveNotification | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const fields = value as Record<string, unknown>
  const category = NOTIFY_CATEGORIES.find(({ appli }) => appli === fields.appli)
  const time = (name: string) => {
    const field = fields[name]
    return typeof field === 'number' && Number.isSafeInteger(field) && field >= 0
      ? field
      : undefined
  }
  if (!category) return undefined
  if (category.kind === 'data') {
    const startdate = time('startdate')
    const enddate = time('enddate')
    if (startdate === undefined || enddate === undefined) return undefined
    return { appli: category.appli, kind: 'data', startdate, enddate }
  }
  const date = time('date')
  return date === undefined ? undefined : { appli: category.appli, kind: category.kind, date }
}

/** Why a category is not subscribed; each has a sentence in the SPA. */
export const NOTIFY_FAILURES = [
  /** Withings' HEAD check of the callback URL failed (status 293): it cannot reach the relay. */
  'callback_unreachable',
  /** Withings asked to slow down (601), or the relay's own budget of Withings calls is spent. */
  'rate_limited',
  /** Withings refused the category for this grant. */
  'scope_denied',
  /** Withings no longer accepts this session's access token. */
  'token_expired',
  /** Withings could not be reached, or did not answer in time. */
  'withings_unavailable',
  /** Any other refusal. */
  'refused',
] as const
export type NotifyFailure = (typeof NOTIFY_FAILURES)[number]

/** One category's subscription for this person, as `GET /api/notify` answers it. */
export type NotifyCategoryStatus = { appli: Appli; scope: Scope } & (
  | { state: 'subscribed' }
  /** Not known yet: the relay is subscribing (an event `subscription` follows on the stream). */
  | { state: 'pending' }
  | { state: 'failed'; reason: NotifyFailure; retry_after?: number }
)

/** `GET /api/notify` and `POST /api/notify`: every category the grant allows, one entry each. */
export interface NotifyStatus {
  categories: NotifyCategoryStatus[]
}
