import {
  CUSTOM_HEADER,
  CUSTOM_HEADER_VALUE,
  type DataService,
  type ErrorCode,
  isErrorCode,
  type LogoutResult,
  type NotifyStatus,
  type PublicConfig,
  type SessionView,
} from '../../../relay/contract/wire-contract'
import { parseNotifyStatus } from '../live/notify-status'
import { parseSessionView } from './session-view'

/** Failures that happen before or beside the relay: it could not be reached, or made no sense. */
export type ClientErrorCode = 'network_error' | 'unexpected_response'

export class RelayRequestError extends Error {
  readonly code: ErrorCode | ClientErrorCode
  readonly retryAfter: number | undefined

  constructor(
    code: ErrorCode | ClientErrorCode,
    message: string,
    options: { retryAfter?: number | undefined; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause })
    this.name = 'RelayRequestError'
    this.code = code
    this.retryAfter = options.retryAfter
  }
}

/** Any failure as a RelayRequestError: one that is not becomes unexpected_response. */
export function asRelayError(error: unknown): RelayRequestError {
  if (error instanceof RelayRequestError) return error
  return new RelayRequestError('unexpected_response', 'An unexpected failure.', { cause: error })
}

export interface RelayClient {
  config(): Promise<PublicConfig>
  login(state: string): Promise<void>
  exchange(code: string, state: string): Promise<SessionView>
  /** The session as the relay holds it (refreshed there once due); null when there is none. */
  session(): Promise<SessionView | null>
  /**
   * Ends the session and revokes at Withings; null when there was no session to end.
   * `deleteData` (sync on): every record stored of the person goes too.
   */
  logout(options?: { deleteData?: boolean }): Promise<LogoutResult | null>
  /** Tries again to tell Withings, with the ticket a logout gave. */
  revoke(ticket: string): Promise<LogoutResult>
  /** One allow-listed Withings call through the relay: the envelope of a successful call. */
  withings(service: DataService, body: Record<string, unknown>): Promise<unknown>
  /** Which notification categories are subscribed for this person, or why not. */
  notifications(): Promise<NotifyStatus>
  /** Asks the relay to list and subscribe again now. */
  resubscribe(): Promise<NotifyStatus>
  /** The person's stored data (sync on): `GET /api/data/{path}`, e.g. `measures?types=1`. */
  stored(path: string): Promise<unknown>
}

const NOT_JSON = Symbol('not JSON')

/** Talks to the relay's /api routes; `baseUrl` is empty when the relay shares the SPA's origin. */
export function createRelayClient(baseUrl = '', fetchImpl: typeof fetch = fetch): RelayClient {
  async function call(path: string, init: RequestInit = {}): Promise<unknown> {
    let response: Response
    try {
      response = await fetchImpl(`${baseUrl}/api${path}`, {
        credentials: 'include',
        ...init,
        headers: {
          accept: 'application/json',
          ...(init.method === 'POST' && {
            'content-type': 'application/json',
            [CUSTOM_HEADER]: CUSTOM_HEADER_VALUE,
          }),
        },
      })
    } catch (cause) {
      throw new RelayRequestError('network_error', 'The relay could not be reached.', { cause })
    }
    if (response.status === 204) return undefined
    const body: unknown = await response.json().catch(() => NOT_JSON)
    if (!response.ok) throw relayError(body, response.status)
    // Not the relay (a host's index.html fallback for every path, say): never "no session".
    if (body === NOT_JSON) {
      throw new RelayRequestError('unexpected_response', 'The relay sent no JSON.')
    }
    return body
  }

  const post = (path: string, body?: unknown) =>
    call(path, { method: 'POST', body: JSON.stringify(body ?? {}) })

  return {
    config: async () => parsePublicConfig(await call('/config')),
    login: async (state) => {
      await post('/auth/login', { state })
    },
    exchange: async (code, state) => sessionOf(await post('/auth/token', { code, state })),
    session: async () => {
      const answer = await post('/auth/session')
      return answer === undefined ? null : sessionOf(answer)
    },
    logout: async ({ deleteData = false } = {}) => {
      const answer = await post('/auth/logout', deleteData ? { delete_data: true } : {})
      return answer === undefined ? null : parseLogoutResult(answer)
    },
    revoke: async (ticket) => parseLogoutResult(await post('/auth/revoke', { ticket })),
    withings: (service, body) => post(`/withings/${service}`, body),
    notifications: async () => notifyStatusOf(await call('/notify')),
    resubscribe: async () => notifyStatusOf(await post('/notify')),
    stored: (path) => call(`/data/${path}`),
  }
}

type Fields = Record<string, unknown>

const fieldsOf = (value: unknown): Fields | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Fields)
    : undefined

function relayError(body: unknown, status: number): RelayRequestError {
  const error = fieldsOf(fieldsOf(body)?.error)
  const message =
    typeof error?.message === 'string' ? error.message : `The relay answered HTTP ${status}.`
  if (!isErrorCode(error?.code)) return new RelayRequestError('unexpected_response', message)
  const retryAfter = error.retry_after
  return new RelayRequestError(error.code, message, {
    retryAfter: typeof retryAfter === 'number' && retryAfter > 0 ? retryAfter : undefined,
  })
}

const invalid = (what: string) =>
  new RelayRequestError('unexpected_response', `The relay sent an invalid ${what}.`)

function sessionOf(body: unknown): SessionView {
  const view = parseSessionView(body)
  if (!view) throw invalid('session')
  return view
}

function notifyStatusOf(body: unknown): NotifyStatus {
  const status = parseNotifyStatus(body)
  if (!status) throw invalid('notification status')
  return status
}

function parseLogoutResult(body: unknown): LogoutResult {
  const result = fieldsOf(body)
  if (typeof result?.withings_informed !== 'boolean') throw invalid('logout answer')
  const { revoke_ticket, retry_after } = result
  return {
    withings_informed: result.withings_informed,
    ...(typeof revoke_ticket === 'string' && { revoke_ticket }),
    ...(typeof retry_after === 'number' && { retry_after }),
  }
}

function parsePublicConfig(body: unknown): PublicConfig {
  const { client_id, redirect_uri, authorize_url, emulator, sync } = fieldsOf(body) ?? {}
  if (
    typeof client_id !== 'string' ||
    typeof redirect_uri !== 'string' ||
    typeof authorize_url !== 'string'
  ) {
    throw invalid('configuration')
  }
  return {
    client_id,
    redirect_uri,
    authorize_url,
    emulator: emulator === true,
    ...(sync === true && { sync: true }),
  }
}
