import type { DataAction, DataService } from '../../../relay/contract/wire-contract'
import { asRelayError, type RelayClient, RelayRequestError } from './relay-client'

export type ParamValue = string | number | boolean | readonly (string | number)[]
export type Params = Readonly<Record<string, ParamValue>>

export interface WithingsData {
  /** One call: the body of Withings' answer; a refusal throws a RelayRequestError. */
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
 * Withings' data through the relay, which holds the session's tokens and refreshes them itself;
 * its error codes are all this client handles. A call that finds the session gone tells the
 * session (`onSessionEnded`), so every page shows the Connect form. Identical calls in flight
 * share one request: StrictMode mounts twice, and Withings refuses the same arguments twice
 * within 10 seconds (status 601).
 */
export function createWithingsData({
  relay,
  onSessionEnded,
}: {
  relay: Pick<RelayClient, 'withings'>
  onSessionEnded: () => void
}): WithingsData {
  const inFlight = new Map<string, Promise<Record<string, unknown>>>()

  async function send(service: DataService, body: Record<string, unknown>) {
    try {
      return envelopeBody(await relay.withings(service, body))
    } catch (error) {
      const problem = asRelayError(error)
      if (problem.code === 'session_expired') onSessionEnded()
      throw problem
    }
  }

  const data: WithingsData = {
    call(service, action, params = {}) {
      const body = { action, ...params }
      const key = `${service} ${JSON.stringify(body)}`
      let pending = inFlight.get(key)
      if (!pending) {
        pending = send(service, body).finally(() => inFlight.delete(key))
        inFlight.set(key, pending)
      }
      return pending
    },

    async all(service, action, params, list) {
      const items: unknown[] = []
      let offset: number | undefined
      for (let page = 0; page < MAX_PAGES; page++) {
        const body = await data.call(service, action, offset ? { ...params, offset } : params)
        const found = body[list]
        if (Array.isArray(found)) items.push(...found)
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

/** The relay passes on only successful envelopes; their `body` is what the pages read. */
function envelopeBody(envelope: unknown): Record<string, unknown> {
  const body =
    typeof envelope === 'object' && envelope !== null
      ? (envelope as Record<string, unknown>).body
      : undefined
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RelayRequestError('unexpected_response', 'The relay sent no Withings answer.')
  }
  return body as Record<string, unknown>
}
