import { describe, expect, test } from 'vitest'
import { RelayError } from '../../relay/core/errors'
import { createSealer } from '../../relay/core/seal'
import type { VaultTokens } from '../../relay/core/sync/sync-port'
import type { SyncDatabase } from '../../relay/sync/db/open-database'
import { claim, complete, defer, enqueue, fail, reap } from '../../relay/sync/jobs/queue'
import { createTokenVault } from '../../relay/sync/vault'
import { testKey } from '../support/relay-config'
import { closedAfterEach, syncBackends } from './backends'

// The token vault (sealed, bound to the person, re-sealed on rotation, one refresh across
// instances) and the job queue (claimed once, deduplicated, deferred, retried, reaped), on both
// backends.

const tokens = (accessToken: string, refreshToken = `r-${accessToken}`): VaultTokens => ({
  userid: '363',
  scope: 'user.metrics,user.activity',
  accessToken,
  refreshToken,
  accessExpiresAt: 2_000_000_000,
  refreshAt: 1_999_999_000,
})

describe.each(syncBackends())('on %s', (_, makeDatabase) => {
  const database = closedAfterEach(makeDatabase)
  const vaultOn = (db: SyncDatabase['db'], keys = [testKey('vault')], owner = 'a') =>
    createTokenVault({ db, sealer: createSealer(keys), owner, log: () => {} })

  test('the vault keeps tokens sealed, one row per person, bound to that person', async () => {
    const { db } = await database()
    const vault = vaultOn(db)
    await vault.save(tokens('access-1'))
    await vault.save(tokens('access-2'))
    expect(await vault.read('363')).toEqual({ status: 'active', tokens: tokens('access-2') })
    const rows = await db.selectFrom('withings_connection').selectAll().execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]?.sealed_tokens).not.toContain('access-2')
    expect(rows[0]?.sealed_tokens).not.toContain('r-access-2')
    // The same sealed text under another person opens nothing.
    await db
      .insertInto('withings_connection')
      .values({ userid: 364, scope: '', sealed_tokens: rows[0]?.sealed_tokens ?? '' })
      .execute()
    expect(await vault.read('364')).toEqual({ status: 'needs_reauth', scope: '' })
    expect(await vault.read('365')).toBeUndefined()
  })

  test('a key rotation re-seals a row when it is read', async () => {
    const { db } = await database()
    await vaultOn(db, [testKey('old')]).save(tokens('access-1'))
    const before = (
      await db.selectFrom('withings_connection').select('sealed_tokens').executeTakeFirstOrThrow()
    ).sealed_tokens
    const rotated = vaultOn(db, [testKey('new'), testKey('old')])
    expect(await rotated.read('363')).toMatchObject({ status: 'active' })
    const after = (
      await db.selectFrom('withings_connection').select('sealed_tokens').executeTakeFirstOrThrow()
    ).sealed_tokens
    expect(after).not.toBe(before)
    expect(await vaultOn(db, [testKey('new')]).read('363')).toMatchObject({ status: 'active' })
  })

  test('two instances refreshing at once call Withings once, and both get the new tokens', async () => {
    const { db } = await database()
    await vaultOn(db).save(tokens('access-1'))
    let calls = 0
    const renew = async (refreshToken: string) => {
      calls++
      expect(refreshToken).toBe('r-access-1')
      await new Promise((resolve) => setTimeout(resolve, 150))
      return tokens('access-2')
    }
    const [a, b] = await Promise.all([
      vaultOn(db, undefined, 'a').renew('363', 'access-1', renew),
      vaultOn(db, undefined, 'b').renew('363', 'access-1', renew),
    ])
    expect(calls).toBe(1)
    expect(a.accessToken).toBe('access-2')
    expect(b.accessToken).toBe('access-2')
    // Stored before it was answered: a third reader sees it.
    expect(await vaultOn(db).read('363')).toMatchObject({ tokens: { accessToken: 'access-2' } })
  })

  test('a refused refresh leaves the row as it was, and marking it shows the connection needs the person', async () => {
    const { db } = await database()
    const vault = vaultOn(db)
    await vault.save(tokens('access-1'))
    const refused = vault.renew('363', 'access-1', async () => {
      throw new RelayError('session_expired', 'refused')
    })
    await expect(refused).rejects.toMatchObject({ code: 'session_expired' })
    expect(await vault.read('363')).toMatchObject({ tokens: { accessToken: 'access-1' } })
    await vault.markNeedsReauth('363')
    expect(await vault.read('363')).toEqual({ status: 'needs_reauth', scope: tokens('x').scope })
    await expect(vault.renew('363', 'access-1', async () => tokens('x'))).rejects.toMatchObject({
      code: 'session_expired',
    })
  })

  test('jobs: claimed once by concurrent workers, deduplicated while waiting', async () => {
    const { db } = await database()
    for (let i = 0; i < 20; i++) await enqueue(db, 'q', { i })
    expect(await enqueue(db, 'q', { x: 1 }, { dedupeKey: 'same' })).toBeTypeOf('number')
    expect(await enqueue(db, 'q', { x: 2 }, { dedupeKey: 'same' })).toBeUndefined()
    const claims = await Promise.all(
      ['w1', 'w2', 'w3'].map((worker) => claim(db, worker, { limit: 10 })),
    )
    const ids = claims.flat().map((job) => job.id)
    expect(ids).toHaveLength(21)
    expect(new Set(ids).size).toBe(21)
  })

  test('jobs: a deferral spends no attempt; a failure waits at least 10 s; a lapsed lease is taken back', async () => {
    const { db } = await database()
    await enqueue(db, 'q', {})
    const [job] = await claim(db, 'w1')
    if (!job) throw new Error('not claimed')
    await defer(db, job, 0)
    const [again] = await claim(db, 'w1')
    expect(again?.attempts).toBe(1)
    if (!again) throw new Error('not claimed')
    await fail(db, again, 'upstream_timeout')
    expect(await claim(db, 'w1')).toEqual([])
    const [row] = await db.selectFrom('job').selectAll().execute()
    expect(row?.state).toBe('ready')
    expect((row?.run_at.getTime() ?? 0) - Date.now()).toBeGreaterThan(5_000)

    await enqueue(db, 'r', {})
    const [leased] = await claim(db, 'w2', { leaseSeconds: 0 })
    if (!leased) throw new Error('not claimed')
    expect(await reap(db)).toBe(1)
    const [retaken] = await claim(db, 'w3')
    expect(retaken?.id).toBe(leased.id)
    // The first worker's lease lapsed: it cannot complete a job another holds now.
    expect(await complete(db, leased)).toBe(false)
    expect(await complete(db, retaken ?? leased)).toBe(true)
  })
})
