import { newCode, newToken } from './random'

// Codes, access tokens and refresh tokens with Withings' lifetimes (docs/withings.md, from the
// reference and Withings' developer guide): a code lives 30 s and dies on first successful use;
// an access token lives `expires_in` (3 h); a refresh token lives a year, and once it has been
// used to refresh it stays valid until 8 h after that or until the new access token is first
// used, whichever comes first.

const CODE_LIFETIME_MS = 30_000
const REFRESH_GRACE_MS = 8 * 60 * 60 * 1000
const REFRESH_LIFETIME_MS = 365 * 24 * 60 * 60 * 1000

/** What the person granted: the same for a code and every token it turns into. */
export interface Grant {
  clientId: string
  userid: number
  scope: string
}

export interface IssuedTokens {
  accessToken: string
  refreshToken: string
  expiresIn: number
}

type CodeRedemption =
  | { ok: true; grant: Grant }
  | { ok: false; reason: 'invalid_code' | 'wrong_redirect_uri' }

interface CodeRecord extends Grant {
  redirectUri: string
  issuedAt: number
}

export interface AccessRecord extends Grant {
  expiresAt: number
  /** The refresh token this access token's refresh replaced; its grace ends at first use. */
  supersedes?: string
  used: boolean
}

export interface RefreshRecord extends Grant {
  expiresAt: number
  graceUntil?: number
}

export interface TokenStore {
  issueCode(grant: Grant, redirectUri: string): string
  redeemCode(code: string, clientId: string, redirectUri: string): CodeRedemption
  issueTokens(grant: Grant, supersedes?: string): IssuedTokens
  /** Rotates: a new pair for a valid refresh token of this client, undefined otherwise. */
  refresh(
    refreshToken: string,
    clientId: string,
  ): { grant: Grant; tokens: IssuedTokens } | undefined
  /** The grant behind a live access token; the first call ends the old refresh token's grace. */
  authenticate(accessToken: string): Grant | undefined
  /** Ends every code and token this client holds for this person (reference: oauth2-revoke). */
  revoke(clientId: string, userid: number): void
  /** The live tokens, to keep across restarts (codes live 30 s: not kept). */
  snapshot(): TokenSnapshot
}

export interface TokenSnapshot {
  access: [string, AccessRecord][]
  refresh: [string, RefreshRecord][]
}

export function createTokenStore({
  now,
  accessTokenTtlSeconds,
  restored,
  changed = () => {},
}: {
  now: () => number
  accessTokenTtlSeconds: number
  /** Tokens kept from an earlier run. */
  restored?: TokenSnapshot | undefined
  /** Called after every change of the tokens (to keep them). */
  changed?: () => void
}): TokenStore {
  const codes = new Map<string, CodeRecord>()
  const accessTokens = new Map<string, AccessRecord>(restored?.access ?? [])
  const refreshTokens = new Map<string, RefreshRecord>(restored?.refresh ?? [])

  const grantOf = ({ clientId, userid, scope }: Grant): Grant => ({ clientId, userid, scope })

  function sweepCodes() {
    for (const [code, record] of codes) {
      if (now() - record.issuedAt > CODE_LIFETIME_MS) codes.delete(code)
    }
  }

  const store: TokenStore = {
    issueCode(grant, redirectUri) {
      sweepCodes()
      const code = newCode()
      codes.set(code, { ...grantOf(grant), redirectUri, issuedAt: now() })
      return code
    },

    redeemCode(code, clientId, redirectUri) {
      const record = codes.get(code)
      if (!record || record.clientId !== clientId || now() - record.issuedAt > CODE_LIFETIME_MS) {
        return { ok: false, reason: 'invalid_code' }
      }
      // A mismatching redirect_uri does not burn the code: only a successful exchange does.
      if (record.redirectUri !== redirectUri) return { ok: false, reason: 'wrong_redirect_uri' }
      codes.delete(code)
      return { ok: true, grant: grantOf(record) }
    },

    issueTokens(grant, supersedes) {
      const accessToken = newToken()
      const refreshToken = newToken()
      accessTokens.set(accessToken, {
        ...grantOf(grant),
        expiresAt: now() + accessTokenTtlSeconds * 1000,
        used: false,
        ...(supersedes === undefined ? {} : { supersedes }),
      })
      refreshTokens.set(refreshToken, { ...grantOf(grant), expiresAt: now() + REFRESH_LIFETIME_MS })
      changed()
      return { accessToken, refreshToken, expiresIn: accessTokenTtlSeconds }
    },

    refresh(refreshToken, clientId) {
      const record = refreshTokens.get(refreshToken)
      if (!record || record.clientId !== clientId) return undefined
      const at = now()
      if (at >= record.expiresAt || (record.graceUntil !== undefined && at >= record.graceUntil)) {
        refreshTokens.delete(refreshToken)
        return undefined
      }
      record.graceUntil = Math.min(
        record.graceUntil ?? Number.POSITIVE_INFINITY,
        at + REFRESH_GRACE_MS,
      )
      const grant = grantOf(record)
      return { grant, tokens: store.issueTokens(grant, refreshToken) }
    },

    authenticate(accessToken) {
      const record = accessTokens.get(accessToken)
      if (!record) return undefined
      if (now() >= record.expiresAt) {
        accessTokens.delete(accessToken)
        return undefined
      }
      if (!record.used) {
        record.used = true
        if (record.supersedes !== undefined) refreshTokens.delete(record.supersedes)
        changed()
      }
      return grantOf(record)
    },

    revoke(clientId, userid) {
      for (const records of [codes, accessTokens, refreshTokens] as const) {
        for (const [key, record] of records) {
          if (record.clientId === clientId && record.userid === userid) records.delete(key)
        }
      }
      changed()
    },

    snapshot: () => ({ access: [...accessTokens], refresh: [...refreshTokens] }),
  }
  return store
}
