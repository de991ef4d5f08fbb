import type { PGlite } from '@electric-sql/pglite'
import { openSyncDatabase, type SyncDatabase } from '../../relay/sync/db/open-database'
import type { TestPostgres } from './postgres'

// Databases for the sync's tests. PGlite: one migrated in-memory database made once per test
// file (initdb and the migrations take seconds), then a clone of it per test (a fraction of a
// second). Postgres: a new database per test on the file's server.

let template: Promise<PGlite> | undefined

async function migratedTemplate(): Promise<PGlite> {
  const { PGlite } = await import('@electric-sql/pglite')
  const lite = await PGlite.create()
  const database = await openSyncDatabase({ pglite: lite })
  await database.close()
  return lite
}

/** Makes the file's template now (in a hook with room for it: seconds on a busy machine). */
export async function warmPglite(): Promise<void> {
  template ??= migratedTemplate()
  await template
}

/** A fresh, migrated PGlite database; closing it closes its clone. */
export async function pgliteDatabase(): Promise<SyncDatabase> {
  template ??= migratedTemplate()
  const clone = (await (await template).clone()) as PGlite
  const database = await openSyncDatabase({ pglite: clone })
  return {
    ...database,
    async close() {
      await database.close()
      await clone.close()
    },
  }
}

let made = 0

/** A fresh, migrated database on the test file's Postgres server. */
export async function postgresDatabase(server: TestPostgres): Promise<SyncDatabase> {
  const url = await server.database(`t${process.pid}_${++made}`)
  return openSyncDatabase({ url, poolSize: 4 })
}
