import { type Kysely, sql } from 'kysely'
import { RelayError } from '../core/errors'
import type { Logger } from '../core/http/request-log'
import type { Sealer } from '../core/seal'
import type { TokenVault, VaultEntry, VaultTokens } from '../core/sync/sync-port'
import type { SyncSchema } from './db/schema'

// The token vault: one row per person in `withings_connection`, the tokens sealed with the
// RELAY_SECRET keys (AES-256-GCM, the cookie seal of relay/core/seal.ts) and bound to the person
// and to this purpose as additional data, so a row copied onto another person's opens nothing. A
// row sealed with an older key is sealed again with the current one when it is read (every
// person is read at least at each catch-up).
//
// One refresh at a time per person, across instances: the refresh takes a lease on the row (a
// time in the row, not a lock held over the call to Withings, which would hold PGlite's only
// connection for its length); the others wait for it and read the new tokens. The new tokens are
// stored before anyone uses them: Withings keeps the old refresh token valid until the new
// access token is first used, so a refresh whose tokens could not be stored loses nothing.

/** A refresh token lives a year at Withings; a little more here, so the seal never ends first. */
const SEAL_SECONDS = 400 * 86_400
/** Longer than a refresh takes (one Withings call, its deadline 25 s at most). */
const LEASE_SECONDS = 30
const WAIT_STEP_MS = 100

const purposeOf = (userid: string) => `withings-link vault v1:${userid}`

export function createTokenVault(options: {
  db: Kysely<SyncSchema>
  sealer: Sealer
  /** Names this instance in the lease. */
  owner: string
  log: Logger
  /** In the transaction that marked an active connection as needing the person again. */
  marked?: (trx: Kysely<SyncSchema>, userid: number) => Promise<void>
}): TokenVault {
  const { db, sealer, owner, log } = options
  const renewing = new Map<string, Promise<VaultTokens>>()

  const seal = (tokens: VaultTokens) => sealer.seal(purposeOf(tokens.userid), tokens, SEAL_SECONDS)

  async function open(userid: string, sealed: string): Promise<VaultTokens | undefined> {
    const opened = await sealer.unseal(purposeOf(userid), sealed)
    const tokens = opened && parseTokens(opened.value, userid)
    if (!tokens) return undefined
    if (opened.stale) {
      // Sealed with an older key: sealed again with the current one (key rotation).
      await db
        .updateTable('withings_connection')
        .set({ sealed_tokens: await seal(tokens), updated_at: new Date() })
        .where('userid', '=', Number(userid))
        .where('sealed_tokens', '=', sealed)
        .execute()
    }
    return tokens
  }

  const vault: TokenVault = {
    async save(tokens) {
      const sealed = await seal(tokens)
      const userid = Number(tokens.userid)
      await db
        .insertInto('withings_connection')
        .values({
          userid,
          scope: tokens.scope,
          sealed_tokens: sealed,
          status: 'active',
          refresh_lease_until: null,
          refresh_lease_by: null,
        })
        .onConflict((conflict) =>
          conflict.column('userid').doUpdateSet({
            scope: tokens.scope,
            sealed_tokens: sealed,
            status: 'active',
            refresh_lease_until: null,
            refresh_lease_by: null,
            updated_at: new Date(),
          }),
        )
        .execute()
    },

    async read(userid) {
      const row = await db
        .selectFrom('withings_connection')
        .select(['status', 'scope', 'sealed_tokens'])
        .where('userid', '=', Number(userid))
        .executeTakeFirst()
      if (!row) return undefined
      if (row.status === 'needs_reauth') return { status: 'needs_reauth', scope: row.scope }
      const tokens = await open(userid, row.sealed_tokens)
      if (!tokens) {
        // No key opens it (every key that sealed it was dropped): as good as refused.
        log({ level: 'warn', msg: 'vault row opens with no key', userid })
        return { status: 'needs_reauth', scope: row.scope }
      }
      return { status: 'active', tokens } satisfies VaultEntry
    },

    renew(userid, stale, renew) {
      const running = renewing.get(userid)
      if (running) return running
      const task = renewOnce(userid, stale, renew).finally(() => renewing.delete(userid))
      renewing.set(userid, task)
      return task
    },

    async markNeedsReauth(userid) {
      await db.transaction().execute(async (trx) => {
        const [before] = await trx
          .selectFrom('withings_connection')
          .select('status')
          .where('userid', '=', Number(userid))
          .forUpdate()
          .execute()
        await trx
          .updateTable('withings_connection')
          .set({
            status: 'needs_reauth',
            refresh_lease_until: null,
            refresh_lease_by: null,
            updated_at: new Date(),
          })
          .where('userid', '=', Number(userid))
          .execute()
        if (before?.status === 'active') await options.marked?.(trx, Number(userid))
      })
    },

    async remove(userid) {
      await db.deleteFrom('withings_connection').where('userid', '=', Number(userid)).execute()
    },
  }

  async function renewOnce(
    userid: string,
    stale: string,
    renew: (refreshToken: string) => Promise<VaultTokens>,
  ): Promise<VaultTokens> {
    const waitUntil = Date.now() + (LEASE_SECONDS + 5) * 1000
    for (;;) {
      const { rows } = await sql<{ sealed_tokens: string }>`
        update withings_connection
        set refresh_lease_until = now() + make_interval(secs => ${LEASE_SECONDS}),
          refresh_lease_by = ${owner}
        where userid = ${Number(userid)} and status = 'active'
          and (refresh_lease_until is null or refresh_lease_until < now())
        returning sealed_tokens`.execute(db)
      const claimed = rows[0]
      if (claimed) return renewHolding(userid, claimed.sealed_tokens, stale, renew)
      const entry = await vault.read(userid)
      if (entry?.status !== 'active') {
        throw new RelayError('session_expired', 'This connection was ended: connect again.')
      }
      // Another instance refreshed meanwhile: its tokens serve.
      if (entry.tokens.accessToken !== stale) return entry.tokens
      if (Date.now() > waitUntil) {
        throw new RelayError('upstream_timeout', 'A refresh under way elsewhere did not finish.')
      }
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS))
    }
  }

  async function renewHolding(
    userid: string,
    sealed: string,
    stale: string,
    renew: (refreshToken: string) => Promise<VaultTokens>,
  ): Promise<VaultTokens> {
    const release = () =>
      db
        .updateTable('withings_connection')
        .set({ refresh_lease_until: null, refresh_lease_by: null })
        .where('userid', '=', Number(userid))
        .where('refresh_lease_by', '=', owner)
        .execute()
    try {
      const current = await open(userid, sealed)
      if (!current) throw new RelayError('session_expired', 'This connection cannot be opened.')
      if (current.accessToken !== stale) {
        await release()
        return current
      }
      const renewed = await renew(current.refreshToken)
      await db
        .updateTable('withings_connection')
        .set({
          sealed_tokens: await seal(renewed),
          scope: renewed.scope,
          refresh_lease_until: null,
          refresh_lease_by: null,
          updated_at: new Date(),
        })
        .where('userid', '=', Number(userid))
        .execute()
      return renewed
    } catch (error) {
      await release().catch(() => {})
      throw error
    }
  }

  return vault
}

function parseTokens(value: unknown, userid: string): VaultTokens | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const fields = value as Record<string, unknown>
  const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string) : '')
  const time = (name: string) =>
    typeof fields[name] === 'number' && Number.isSafeInteger(fields[name])
      ? (fields[name] as number)
      : undefined
  const accessExpiresAt = time('accessExpiresAt')
  const refreshAt = time('refreshAt')
  if (text('userid') !== userid || !text('accessToken') || !text('refreshToken')) return undefined
  if (accessExpiresAt === undefined || refreshAt === undefined) return undefined
  return {
    userid,
    scope: text('scope'),
    accessToken: text('accessToken'),
    refreshToken: text('refreshToken'),
    accessExpiresAt,
    refreshAt,
  }
}
