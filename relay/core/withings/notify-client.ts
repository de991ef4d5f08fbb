import type { NotifyFailure } from '../../contract/wire-contract'
import { RelayError } from '../errors'
import type { AppBudget } from '../limits/app-budget'
import { type Envelope, waitSeconds } from './envelope'
import { statusFamily } from './status'
import { postForm, type UpstreamOptions } from './upstream'

// Withings' Notify service with the person's access token (reference: notify-subscribe,
// notify-list, notify-revoke): `POST {api}/notify action=…`. Every call counts in the app's
// budget. Refusals come back as one error naming why, with Withings' status when it gave one.

export interface NotifyProfile {
  appli: number
  callbackurl: string
}

export interface NotifyClient {
  list(accessToken: string): Promise<NotifyProfile[]>
  subscribe(accessToken: string, appli: number, callbackurl: string): Promise<void>
  /** Unsubscribes one category of one callback URL. */
  revoke(accessToken: string, appli: number, callbackurl: string): Promise<void>
}

/** Why Withings (or the way to it) refused a Notify call. */
export class NotifyRefused extends Error {
  constructor(
    readonly reason: NotifyFailure,
    readonly withingsStatus: number | undefined,
    readonly retryAfter: number | undefined,
    options: { cause?: unknown } = {},
  ) {
    super(`Notify call refused: ${reason}`, options)
    this.name = 'NotifyRefused'
  }
}

/** Shown in list and get answers; "withings-link" tells our subscriptions apart by eye. */
const COMMENT = 'withings-link'

export function createNotifyClient(
  options: UpstreamOptions & { apiUrl: string; budget: AppBudget },
): NotifyClient {
  const call = async (accessToken: string, params: Record<string, string>) => {
    let envelope: Envelope
    try {
      await options.budget.take('notify')
      envelope = await postForm(options, `${options.apiUrl}/notify`, params, {
        authorization: `Bearer ${accessToken}`,
      })
    } catch (error) {
      throw refusalOfTransport(error)
    }
    if (envelope.status !== 0) throw refusalOf(envelope)
    return envelope
  }
  return {
    async list(accessToken) {
      const { body } = await call(accessToken, { action: 'list' })
      return profilesOf(body.profiles)
    },
    async subscribe(accessToken, appli, callbackurl) {
      await call(accessToken, {
        action: 'subscribe',
        appli: String(appli),
        callbackurl,
        comment: COMMENT,
      })
    },
    async revoke(accessToken, appli, callbackurl) {
      await call(accessToken, { action: 'revoke', appli: String(appli), callbackurl })
    },
  }
}

/**
 * Withings' statuses for Notify: 293 is its answer when the callback's HEAD check fails ("the
 * callback URL is either absent or incorrect", https://github.com/home-assistant/core/issues/72614);
 * the rest follow the reference's families.
 */
function refusalOf(envelope: Envelope): NotifyRefused {
  const { status, error = '' } = envelope
  if (status === 293) return new NotifyRefused('callback_unreachable', status, undefined)
  switch (statusFamily(status, error)) {
    case 'too_many_requests':
      return new NotifyRefused('rate_limited', status, waitSeconds(envelope))
    case 'authentication_failed':
      return new NotifyRefused('token_expired', status, undefined)
    case 'insufficient_scope':
    case 'unauthorized':
      return new NotifyRefused('scope_denied', status, undefined)
    case 'timeout':
    case 'bad_state':
      return new NotifyRefused('withings_unavailable', status, undefined)
    default:
      return new NotifyRefused('refused', status, undefined)
  }
}

function refusalOfTransport(error: unknown): NotifyRefused {
  if (!(error instanceof RelayError)) throw error
  switch (error.code) {
    case 'rate_limited':
    case 'relay_busy':
      return new NotifyRefused('rate_limited', undefined, error.retryAfter, { cause: error })
    case 'upstream_timeout':
    case 'upstream_unavailable':
      return new NotifyRefused('withings_unavailable', undefined, undefined, { cause: error })
    default:
      return new NotifyRefused('refused', undefined, undefined, { cause: error })
  }
}

/** `profiles` of a list answer, keeping only entries with the two fields the relay reads. */
function profilesOf(value: unknown): NotifyProfile[] {
  if (!Array.isArray(value)) return []
  return value.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return []
    const { appli, callbackurl } = entry as Record<string, unknown>
    const number = typeof appli === 'string' && /^\d+$/.test(appli) ? Number(appli) : appli
    return typeof number === 'number' && Number.isInteger(number) && typeof callbackurl === 'string'
      ? [{ appli: number, callbackurl }]
      : []
  })
}
