// What the session routes (/api/auth/*) answer a page: its connection, and how it ended.

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
