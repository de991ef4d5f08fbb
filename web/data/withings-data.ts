import type { DataAction, DataService } from '../../relay/contract'
import { asRelayError, type RelayClient, RelayRequestError } from '../auth/relay-client'
import type { SessionStore } from '../auth/session-store'

export type ParamValue = string | number | boolean | readonly (string | number)[]
export type Params = Readonly<Record<string, ParamValue>>

export interface WithingsData {
  /** One call: the body of a status-0 envelope; anything else throws a RelayRequestError. */
  call<S extends DataService>(
    service: S,
    action: DataAction<S>,
    params?: Params,
  ): Promise<Record<string, unknown>>
  /** Follows `more` / `offset` until done (at most MAX_PAGES calls) and joins the `list` arrays. */
  all<S extends DataService>(
    service: S,
    action: DataAction<S>,
    params: Params,
    list: string,
  ): Promise<unknown[]>
}

/** 20 pages of Withings' usual 100 items: far more than a dashboard shows, and never endless. */
export const MAX_PAGES = 20

/**
 * Withings' data through the relay, with the session's access token. An expired token gets one
 * refresh (unless another call already replaced that token) and the call one retry. Identical
 * calls in flight share one request: StrictMode mounts twice, and Withings refuses the same
 * arguments twice within 10 seconds (status 601).
 */
export function createWithingsData({
  relay,
  store,
}: {
  relay: RelayClient
  store: Pick<SessionStore, 'accessToken' | 'refresh'>
}): WithingsData {
  const inFlight = new Map<string, Promise<Record<string, unknown>>>()

  async function send(service: DataService, body: Record<string, unknown>): Promise<unknown> {
    const token = await store.accessToken()
    if (!token) throw new RelayRequestError('session_expired', 'Nobody is connected.')
    try {
      return await relay.withings(service, body, token)
    } catch (error) {
      if (!(error instanceof RelayRequestError) || error.code !== 'token_expired') throw error
      const fresh = await store.refresh({ unless: token })
      // No new token (the session ended, or the refresh failed for now): nothing to retry with.
      if (!fresh || fresh.access_token === token) throw error
      return relay.withings(service, body, fresh.access_token)
    }
  }

  const data: WithingsData = {
    call(service, action, params = {}) {
      const body = { action, ...params }
      const key = `${service} ${JSON.stringify(body)}`
      let pending = inFlight.get(key)
      if (!pending) {
        pending = send(service, body)
          .then(envelopeBody, (error: unknown) => Promise.reject(asRelayError(error)))
          .finally(() => inFlight.delete(key))
        inFlight.set(key, pending)
      }
      return pending
    },

    async all(service, action, params, list) {
      const items: unknown[] = []
      let offset: number | undefined
      for (let page = 0; page < MAX_PAGES; page++) {
        const body = await data.call(service, action, offset ? { ...params, offset } : params)
        if (Array.isArray(body[list])) items.push(...body[list])
        // getmeas says `more: 1`, the v2 services `more: true` (reference).
        const next = body.more === true || body.more === 1 ? body.offset : undefined
        if (typeof next !== 'number' || next <= (offset ?? 0)) break
        offset = next
      }
      return items
    },
  }
  return data
}

/** Withings' statuses in the "Unauthorized" family (reference, "Response Status"). */
const UNAUTHORIZED = new Set([214, 277, 2553, 2555])
const TOO_MANY_REQUESTS = 601
const TIMEOUT = 522

/** The body of a status-0 envelope; a refusal becomes the code the page explains. */
function envelopeBody(envelope: unknown): Record<string, unknown> {
  const { status, body, error } = (envelope ?? {}) as Record<string, unknown>
  if (typeof status !== 'number') {
    throw new RelayRequestError('unexpected_response', 'The relay sent no Withings envelope.')
  }
  const said = `Withings answered status ${status}${typeof error === 'string' ? `: ${error}` : ''}`
  const details = (body ?? {}) as Record<string, unknown>
  if (status === 0) return details
  if (UNAUTHORIZED.has(status)) throw new RelayRequestError('scope_denied', said)
  if (status === TOO_MANY_REQUESTS) {
    const wait = Number(details.wait_seconds)
    throw new RelayRequestError('rate_limited', said, {
      retryable: true,
      retryAfter: Number.isFinite(wait) && wait > 0 ? Math.ceil(wait) : undefined,
    })
  }
  if (status === TIMEOUT) throw new RelayRequestError('upstream_timeout', said, { retryable: true })
  throw new RelayRequestError('upstream_error', said)
}
