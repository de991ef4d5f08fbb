import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { DataDirInUse, lockDataDir } from '../../relay/sync/db/datadir-lock'
import { openSyncDatabase, PGLITE_PG_VERSION } from '../../relay/sync/db/open-database'
import { startPostgres, type TestPostgres } from '../support/postgres'
import { pgliteDatabase, warmPglite } from '../support/sync-database'

// Opening the sync's database: a data folder one process at a time, a folder of another Postgres
// version refused in a sentence, migrations applied once by instances starting together, and a
// database closed under a query that says so rather than hang.

const scratch = () => mkdtempSync(join(tmpdir(), 'wl-db-'))

describe('the embedded database', () => {
  beforeAll(warmPglite, 60_000)

  test('its folder is one process’s: a second opener is refused, a dead holder’s lock taken over', () => {
    const dir = join(scratch(), 'postgres')
    const release = lockDataDir(dir)
    expect(() => lockDataDir(dir)).toThrow(DataDirInUse)
    expect(() => lockDataDir(dir)).toThrow(
      'One process may use a DATA_DIR; several instances need a Postgres server (DATABASE_URL).',
    )
    release()
    // A process that died holding it (no such pid on this host).
    writeFileSync(`${dir}.lock`, `999999999@${hostname()}`)
    lockDataDir(dir)()
  })

  test('a folder another Postgres version wrote is refused in a sentence, untouched', async () => {
    const dir = scratch()
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'PG_VERSION'), '17\n')
    await expect(openSyncDatabase({ dataDir: dir })).rejects.toThrow(
      `was written by Postgres 17, and this version of withings-link embeds Postgres ${PGLITE_PG_VERSION} (PGlite 0.6.1), which cannot open it`,
    )
  })

  test('a query after close rejects, rather than hang', async () => {
    const database = await pgliteDatabase()
    await database.close()
    await expect(database.db.selectFrom('job').selectAll().execute()).rejects.toThrow()
  })
})

describe('on a Postgres server', () => {
  let server: TestPostgres
  beforeAll(async () => {
    server = await startPostgres()
  }, 60_000)
  afterAll(() => server?.stop())

  test('instances starting together apply each migration once', async () => {
    const url = await server.database('together')
    const opened = await Promise.all([1, 2, 3].map(() => openSyncDatabase({ url, poolSize: 2 })))
    const [first] = opened
    const applied = (await first?.db
      .selectFrom('kysely_migration' as never)
      .selectAll()
      .execute()) as { name: string }[] | undefined
    expect(applied?.map((migration) => migration.name)).toEqual(['0001_sync', '0002_events'])
    await Promise.all(opened.map((database) => database.close()))
  })
})
