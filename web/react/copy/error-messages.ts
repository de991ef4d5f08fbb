import { ERROR_CODES, isErrorCode } from '../../../relay/contract/wire-contract'
import type { ProblemCode } from '../auth/problems'

/**
 * What the person can do next; each page turns it into a button or link. A problem the relay
 * calls retryable is `try_again` (`wait` when it says how long); the others say their own step.
 */
export type NextStep = 'connect_again' | 'try_again' | 'wait' | 'contact_owner'

export interface Explanation {
  sentence: string
  next: NextStep
}

type Entry = { sentence: string; next?: 'connect_again' | 'contact_owner' }

// The one place where codes become sentences. Written for the person at the screen, not for
// the developer: no jargon, and always a next step.
const EXPLANATIONS: Record<ProblemCode, Entry> = {
  access_denied: {
    sentence: 'You declined access to your Withings data, so nothing was connected.',
    next: 'connect_again',
  },
  state_unknown: {
    sentence:
      'This sign-in link was already used, or it was not started in this browser tab, so it was not accepted. Nothing was exchanged with Withings.',
    next: 'connect_again',
  },
  state_expired: {
    sentence:
      'This sign-in was started more than 10 minutes ago and has expired. Nothing was exchanged with Withings.',
    next: 'connect_again',
  },
  authorize_error: {
    sentence: 'Withings could not start the sign-in this app asked for, so nothing was connected.',
    next: 'connect_again',
  },
  missing_callback: {
    sentence: 'This page finishes a Withings sign-in, but its address holds no sign-in result.',
    next: 'connect_again',
  },
  invalid_state: {
    sentence:
      'The server could not match this sign-in to one started in this browser, so it was refused. Nothing was exchanged with Withings.',
    next: 'connect_again',
  },
  login_cookie_missing: {
    sentence:
      'This browser did not keep the sign-in cookie, so the sign-in could not be finished. That happens in private browsing, when cookies are blocked for this site, or when the app was opened at another address than the one it runs on. Nothing was exchanged with Withings.',
    next: 'connect_again',
  },
  code_expired: {
    sentence:
      "Withings' one-time code expired before it could be used (codes last 30 seconds and work once).",
    next: 'connect_again',
  },
  redirect_uri_mismatch: {
    sentence:
      "Withings refused this app's return address: the site's WITHINGS_REDIRECT_URI must match the callback registered with Withings.",
    next: 'contact_owner',
  },
  invalid_client: {
    sentence:
      "Withings did not accept this app's credentials. Either the site's WITHINGS_CLIENT_ID or WITHINGS_CLIENT_SECRET is wrong, or its WITHINGS_REDIRECT_URI differs from the callback registered with Withings (Withings gives the same answer for both).",
    next: 'contact_owner',
  },
  session_expired: {
    sentence: 'Your Withings connection has ended. Connect again to continue.',
    next: 'connect_again',
  },
  scope_denied: {
    sentence:
      'Withings did not let this app read this data: the connection does not include the permission it needs.',
    next: 'connect_again',
  },
  rate_limited: {
    sentence: 'Withings is asking us to slow down.',
  },
  relay_busy: {
    sentence: 'This app is making as many requests to Withings as it may just now.',
  },
  sign_ins_limited: {
    sentence:
      'Too many sign-ins from your network failed just now, so this app is pausing sign-ins from it for a while. Nothing was exchanged with Withings.',
  },
  disconnect_incomplete: {
    sentence:
      'Disconnect did not complete: this app could not record it just now, so you are still connected. Try again in a moment.',
  },
  tokens_too_long: {
    sentence:
      'Withings sent this app more than a browser can keep, so the connection could not be kept, and the app asked Withings to undo it.',
    next: 'contact_owner',
  },
  upstream_timeout: {
    sentence: 'Withings took too long to answer.',
  },
  upstream_unavailable: {
    sentence: 'Withings could not be reached just now.',
  },
  upstream_error: {
    sentence: 'Withings refused the request.',
    next: 'contact_owner',
  },
  forbidden_origin: {
    sentence:
      "This page's address is not allowed to use the app's server: the site's ALLOWED_ORIGINS must list it.",
    next: 'contact_owner',
  },
  bad_request: {
    sentence: "The app's server did not accept the request.",
  },
  unsupported_media_type: {
    sentence: "The app's server did not accept the request.",
    next: 'contact_owner',
  },
  payload_too_large: {
    sentence: "The app's server did not accept the request.",
    next: 'contact_owner',
  },
  not_found: {
    sentence: "The app's server does not offer this function.",
    next: 'contact_owner',
  },
  shutting_down: {
    sentence: "The app's server is restarting.",
  },
  relay_unavailable: {
    sentence: "The app's server cannot finish this just now.",
  },
  internal_error: {
    sentence: "Something went wrong in the app's server.",
  },
  network_error: {
    sentence: "The app's server could not be reached. Check your connection.",
  },
  unexpected_response: {
    sentence: "The app's server gave an answer this page does not understand.",
  },
}

/** Limits that lift by themselves: the next step is to wait, not to repeat at once. */
const WAITS = new Set<ProblemCode>(['rate_limited', 'relay_busy', 'sign_ins_limited'])

export function explain(code: ProblemCode): Explanation {
  const { sentence, next } = EXPLANATIONS[code] ?? EXPLANATIONS.unexpected_response
  if (next) return { sentence, next }
  const retryable = !isErrorCode(code) || ERROR_CODES[code].retryable
  return {
    sentence,
    next: WAITS.has(code) ? 'wait' : retryable ? 'try_again' : 'contact_owner',
  }
}
