import { vi } from 'vitest'
import type { PublicConfig, TokenView } from '../../relay/contract'
import { type RelayClient, RelayRequestError } from '../../web/auth/relay-client'

export const PUBLIC_CONFIG: PublicConfig = {
  client_id: 'demo-client',
  redirect_uri: 'http://localhost:3000/callback',
  authorize_url: 'http://127.0.0.1:9999/oauth2_user/authorize2',
  emulator: true,
}

export const TOKEN: TokenView = {
  access_token: 'access-token-1',
  token_type: 'Bearer',
  expires_at: Math.floor(Date.now() / 1000) + 10_800,
  scope: 'user.metrics,user.activity',
  userid: '363',
}

/** The relay as the SPA sees it, for page tests: the network edge, replaced and counted. */
export function fakeRelay(overrides: Partial<RelayClient> = {}) {
  return {
    config: vi.fn(overrides.config ?? (async () => PUBLIC_CONFIG)),
    login: vi.fn(overrides.login ?? (async () => {})),
    exchange: vi.fn(overrides.exchange ?? (async () => TOKEN)),
    refresh: vi.fn(
      overrides.refresh ??
        (async (): Promise<TokenView> => {
          throw new RelayRequestError('session_expired', 'no session')
        }),
    ),
    logout: vi.fn(overrides.logout ?? (async () => {})),
    withings: vi.fn(
      overrides.withings ?? (async (): Promise<unknown> => ({ status: 0, body: {} })),
    ),
  } satisfies RelayClient
}
