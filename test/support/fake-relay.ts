import { vi } from 'vitest'
import type {
  LogoutResult,
  NotifyStatus,
  PublicConfig,
  SessionView,
} from '../../relay/contract/wire-contract'
import type { RelayClient } from '../../web/react/auth/relay-client'

export const PUBLIC_CONFIG: PublicConfig = {
  client_id: 'demo-client',
  redirect_uri: 'http://localhost:3000/callback',
  authorize_url: 'http://127.0.0.1:9999/oauth2_user/authorize2',
  emulator: true,
}

/** A session view as the relay gives it, valid for `lifetimeSeconds` from now. */
export function sessionView(
  lifetimeSeconds = 10_800,
  scope = 'user.metrics,user.activity',
): SessionView {
  const now = Math.floor(Date.now() / 1000)
  return {
    userid: '363',
    scope,
    expires_at: now + lifetimeSeconds,
    refresh_at:
      now + lifetimeSeconds - Math.min(300, Math.max(1, Math.floor(lifetimeSeconds / 10))),
    session_ends_at: now + 30 * 86_400,
  }
}

export const SESSION: SessionView = sessionView()

export const INFORMED: LogoutResult = { withings_informed: true }

/** The notification status of a grant that allows no category. */
export const NO_NOTIFY: NotifyStatus = { categories: [] }

/** The relay as the SPA sees it, for page tests: the network edge, replaced and counted. */
export function fakeRelay(overrides: Partial<RelayClient> = {}) {
  return {
    config: vi.fn(overrides.config ?? (async () => PUBLIC_CONFIG)),
    login: vi.fn(overrides.login ?? (async () => {})),
    exchange: vi.fn(overrides.exchange ?? (async () => SESSION)),
    session: vi.fn(overrides.session ?? (async (): Promise<SessionView | null> => null)),
    logout: vi.fn(overrides.logout ?? (async (): Promise<LogoutResult | null> => INFORMED)),
    revoke: vi.fn(overrides.revoke ?? (async (): Promise<LogoutResult> => INFORMED)),
    withings: vi.fn(
      overrides.withings ?? (async (): Promise<unknown> => ({ status: 0, body: {} })),
    ),
    notifications: vi.fn(overrides.notifications ?? (async (): Promise<NotifyStatus> => NO_NOTIFY)),
    resubscribe: vi.fn(overrides.resubscribe ?? (async (): Promise<NotifyStatus> => NO_NOTIFY)),
    stored: vi.fn(overrides.stored ?? (async (): Promise<unknown> => ({}))),
  } satisfies RelayClient
}
