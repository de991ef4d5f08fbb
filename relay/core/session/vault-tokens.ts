import { RelayError } from '../errors'
import type { TokenVault, VaultTokens } from '../sync/sync-port'
import type { WithingsTokens } from '../withings/token-client'

// A person's tokens in the vault (sync on), for their pages' sessions and for the sync's calls
// alike: read, refreshed once across instances when due (the vault stores the new pair before
// anyone uses it), and a refresh Withings refuses marks the connection as needing the person.

export interface VaultKeeper {
  save(tokens: VaultTokens): Promise<void>
  /** The person's tokens, or null when there are none (disconnected, or refused). */
  read(userid: string): Promise<VaultTokens | null>
  /** Refreshes past `stale`, the access token in hand (another may have refreshed it already). */
  renew(userid: string, stale: string): Promise<VaultTokens>
  /** Tokens good for a while: refreshed first once their refresh moment has come. */
  usable(userid: string): Promise<VaultTokens>
}

export function createVaultTokens(options: {
  vault: TokenVault
  refresh: (refreshToken: string) => Promise<WithingsTokens>
  now: () => number
}): VaultKeeper {
  const { vault, refresh, now } = options
  const seconds = () => Math.floor(now() / 1000)

  const keeper: VaultKeeper = {
    save: (tokens) => vault.save(tokens),
    async read(userid) {
      const entry = await vault.read(userid)
      return entry?.status === 'active' ? entry.tokens : null
    },
    async renew(userid, stale) {
      try {
        return await vault.renew(userid, stale, async (refreshToken) =>
          vaultTokensOf(await refresh(refreshToken), seconds()),
        )
      } catch (error) {
        if (error instanceof RelayError && error.code === 'session_expired') {
          await vault.markNeedsReauth(userid)
        }
        throw error
      }
    },
    async usable(userid) {
      const tokens = await keeper.read(userid)
      if (!tokens) {
        throw new RelayError('session_expired', 'This person is not connected: they connect again.')
      }
      return seconds() < tokens.refreshAt ? tokens : keeper.renew(userid, tokens.accessToken)
    },
  }
  return keeper
}

export function vaultTokensOf(tokens: WithingsTokens, nowSeconds: number): VaultTokens {
  return {
    userid: tokens.userid,
    scope: tokens.scope,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    accessExpiresAt: nowSeconds + tokens.expiresIn,
    refreshAt: nowSeconds + tokens.expiresIn - refreshMargin(tokens.expiresIn),
  }
}

/** Refresh a little before expiry: a tenth of the token's life, between 1 s and 5 minutes. */
export function refreshMargin(expiresInSeconds: number): number {
  return Math.min(300, Math.max(1, Math.floor(expiresInSeconds / 10)))
}
