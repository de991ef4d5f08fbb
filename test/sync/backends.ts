import { afterAll, beforeAll } from 'vitest'
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
