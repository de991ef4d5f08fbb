import {
  CUSTOM_HEADER,
  CUSTOM_HEADER_VALUE,
  type DataService,
  type ErrorCode,
  type PublicConfig,
  type TokenView,
} from '../../relay/contract'

/**
 * Codes the SPA adds to the relay's: failures that happen before or beside the relay, and
 * `scope_denied` for a Withings envelope refusing a call the connection has no scope for.
 */
export type ClientErrorCode = 'network_error' | 'unexpected_response' | 'scope_denied'

export class RelayRequestError extends Error {
  readonly code: ErrorCode | ClientErrorCode
  readonly retryable: boolean
  readonly retryAfter: number | undefined

  constructor(
    code: ErrorCode | ClientErrorCode,
    message: string,
    options: { retryable?: boolean; retryAfter?: number | undefined; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause })
    this.name = 'RelayRequestError'
    this.code = code
    this.retryable = options.retryable ?? false
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
  exchange(code: string, state: string): Promise<TokenView>
  refresh(): Promise<TokenView>
  logout(): Promise<void>
  /** One allow-listed Withings call through the relay; answers Withings' envelope, unparsed. */
  withings(
    service: DataService,
    body: Record<string, unknown>,
    accessToken: string,
  ): Promise<unknown>
}

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
          ...init.headers,
        },
      })
    } catch (cause) {
      throw new RelayRequestError('network_error', 'The relay could not be reached.', {
        retryable: true,
        cause,
      })
    }
    if (response.status === 204) return undefined
    const body: unknown = await response.json().catch(() => undefined)
    if (!response.ok) throw relayError(body, response.status)
    return body
  }

  const post = (path: string, body?: unknown, headers?: Record<string, string>) =>
    call(path, { method: 'POST', body: JSON.stringify(body ?? {}), ...(headers && { headers }) })

  return {
    config: async () => parsePublicConfig(await call('/config')),
    login: async (state) => {
      await post('/auth/login', { state })
    },
    exchange: async (code, state) => parseTokenView(await post('/auth/token', { code, state })),
    refresh: async () => parseTokenView(await post('/auth/refresh')),
    logout: async () => {
      await post('/auth/logout')
    },
    withings: (service, body, accessToken) =>
      post(`/withings/${service}`, body, { authorization: `Bearer ${accessToken}` }),
  }
}

function relayError(body: unknown, status: number): RelayRequestError {
  const error = (body as { error?: Record<string, unknown> } | undefined)?.error
  if (typeof error?.code !== 'string' || typeof error.message !== 'string') {
    return new RelayRequestError('unexpected_response', `The relay answered HTTP ${status}.`, {
      retryable: status >= 500,
    })
  }
  return new RelayRequestError(error.code as ErrorCode, error.message, {
    retryable: error.retryable === true,
    retryAfter: typeof error.retry_after === 'number' ? error.retry_after : undefined,
  })
}

function parseTokenView(body: unknown): TokenView {
  const view = body as Record<string, unknown> | undefined
  if (
    typeof view?.access_token !== 'string' ||
    typeof view.expires_at !== 'number' ||
    typeof view.scope !== 'string' ||
    typeof view.userid !== 'string'
  ) {
    throw new RelayRequestError('unexpected_response', 'The relay sent an invalid token answer.')
  }
  return {
    access_token: view.access_token,
    token_type: 'Bearer',
    expires_at: view.expires_at,
    scope: view.scope,
    userid: view.userid,
  }
}

function parsePublicConfig(body: unknown): PublicConfig {
  const config = body as Record<string, unknown> | undefined
  if (
    typeof config?.client_id !== 'string' ||
    typeof config.redirect_uri !== 'string' ||
    typeof config.authorize_url !== 'string'
  ) {
    throw new RelayRequestError('unexpected_response', 'The relay sent an invalid configuration.')
  }
  return {
    client_id: config.client_id,
    redirect_uri: config.redirect_uri,
    authorize_url: config.authorize_url,
    emulator: config.emulator === true,
  }
}
