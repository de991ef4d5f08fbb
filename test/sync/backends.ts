import { afterAll, afterEach, beforeAll } from 'vitest'
import type { SyncDatabase } from '../../relay/sync/db/open-database'
import { startPostgres, type TestPostgres } from '../support/postgres'
import { pgliteDatabase, postgresDatabase, warmPglite } from '../support/sync-database'

// The two backends every storage test runs on: the embedded PGlite and Debian's Postgres server,
// started once for the test file that calls this.

export function syncBackends() {
  let server: TestPostgres | undefined
  beforeAll(async () => {
    ;[server] = await Promise.all([startPostgres(), warmPglite()])
  }, 60_000)
  afterAll(async () => {
    await server?.stop()
  })
  return [
    ['PGlite', () => pgliteDatabase()],
    [
      'Postgres',
      () => {
        if (!server) throw new Error('Postgres did not start')
        return postgresDatabase(server)
      },
    ],
  ] as const satisfies readonly (readonly [string, () => Promise<SyncDatabase>])[]
}

/** `make`, each database it opens in a test closed after that test. */
export function closedAfterEach(make: () => Promise<SyncDatabase>): () => Promise<SyncDatabase> {
  const open: SyncDatabase[] = []
  afterEach(async () => {
    await Promise.all(open.splice(0).map((database) => database.close()))
  })
  return async () => {
    const made = await make()
    open.push(made)
    return made
  }
}
