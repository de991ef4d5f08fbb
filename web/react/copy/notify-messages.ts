import type { NotifyFailure } from '../../../relay/contract/wire-contract'

/** Why Withings will not notify this app of a category, for the person at the screen. */
export const NOTIFY_FAILURE_SENTENCES: Record<NotifyFailure, string> = {
  callback_unreachable:
    "Withings could not reach this app to deliver notifications. Withings only delivers to a public https address on port 443, so this app's owner must give it one (NOTIFY_CALLBACK_BASE_URL, or a tunnel while developing).",
  rate_limited: 'Withings asked the app to slow down; it will subscribe again in a moment.',
  scope_denied: 'Withings refused notifications for this connection.',
  token_expired: 'Withings no longer accepts this connection. Disconnect and connect again.',
  withings_unavailable: 'Withings could not be reached just now; the app will try again later.',
  refused: 'Withings refused to send notifications for this connection.',
}
