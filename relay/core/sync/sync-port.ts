import type { DataQuery, StoredNews } from '../../contract/stored-data'
import type { DataService, LiveNotification } from '../../contract/wire-contract'
import type { ReadinessCheck } from '../http/readiness'
import type { Logger } from '../http/request-log'

// The relay's port for the sync (withings-link/sync, DESIGN §14): what the relay needs from a
// store of the person's data, as interfaces, so that the core stays Web-standard and free of any
// database. Without a sync the relay is the cookie-only kit: tokens sealed in the session cookie,
// nothing stored.

/** A person's tokens, as the vault keeps them (sealed there). */
export interface VaultTokens {
  userid: string
  scope: string
  accessToken: string
  refreshToken: string
  /** Unix seconds: when the access token stops working. */
  accessExpiresAt: number
  /** Unix seconds: from then on, the access token is refreshed before use. */
  refreshAt: number
}

export type VaultEntry =
  | { status: 'active'; tokens: VaultTokens }
  /** Withings refused the refresh token: the person has to connect again. */
  | { status: 'needs_reauth'; scope: string }

/** Where a person's tokens live when sync is on: one row per person, sealed. */
export interface TokenVault {
  /** Keeps the tokens of a code exchange (a new connection, or the person connecting again). */
  save(tokens: VaultTokens): Promise<void>
  read(userid: string): Promise<VaultEntry | undefined>
  /**
   * Refreshes once across tabs and instances: `renew` runs for one caller at a time per person,
   * and its tokens are stored before this answers. A caller whose access token (`stale`) was
   * already replaced gets the stored tokens without a call to Withings.
   */
  renew(
    userid: string,
    stale: string,
    renew: (refreshToken: string) => Promise<VaultTokens>,
  ): Promise<VaultTokens>
  /** Withings refused the person's refresh token. */
  markNeedsReauth(userid: string): Promise<void>
  remove(userid: string): Promise<void>
}

/** What only the relay has, lent to the sync: Withings for a person, and that person's pages. */
export interface RelayForSync {
  /**
   * One Withings data call with the person's access token (refreshed when due), counted in the
   * app's budget: the envelope's body, or a RelayError (rate_limited with retryAfter,
   * session_expired once Withings refused the person, scope_denied, upstream_*).
   */
  withings(
    userid: string,
    service: DataService,
    params: Record<string, string>,
  ): Promise<Record<string, unknown>>
  /** Tells the person's open pages that their stored data changed. */
  tell(userid: string, news: StoredNews): Promise<void>
  log: Logger
}

/** What the relay tells the sync, and asks of it. */
export interface SyncHooks {
  /** A code exchange connected the person (or again): the import starts. */
  connected(userid: string, scope: string): Promise<void>
  /** Withings notified (the callback's hint): the category is fetched, a bed event stored. */
  notified(userid: string, notification: LiveNotification): Promise<void>
  /** Disconnect: the connection is forgotten and, when asked, every stored record. */
  disconnected(userid: string, options: { deleteData: boolean }): Promise<void>
  /** The person's stored data, for their own pages. */
  read(userid: string, query: DataQuery): Promise<unknown>
}

export interface SyncPort {
  readonly vault: TokenVault
  /**
   * What GET /api/readyz checks of it: the database (`database`), and what only degrades it
   * (`withings` for its calls, `webhooks` for its receiver).
   */
  readonly readiness?: readonly ReadinessCheck[]
  /** Called once by createRelay with what only the relay has. */
  attach(relay: RelayForSync): SyncHooks
}
