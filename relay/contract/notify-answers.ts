import type { Appli } from './notify-categories'
import type { Scope } from './scopes'

// What `GET /api/notify` and `POST /api/notify` answer: the person's subscriptions.

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

/** Every category the grant allows, one entry each. */
export interface NotifyStatus {
  categories: NotifyCategoryStatus[]
}
