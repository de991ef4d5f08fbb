import { join } from 'node:path'
import type { RelayConfig, SyncConfig } from '../core/config'
import type { Logger } from '../core/http/request-log'
import type { Sync } from '../sync/create-sync'
import { nodeCipher } from './node-cipher'

// The sync as createNodeRelay opens it from the config: a Postgres server when DATABASE_URL is
// set, else the embedded PGlite in DATA_DIR/postgres (one process at a time: several instances
// need a server). Loaded only when sync is on, so the cookie-only kit never reads its code.

export interface OpenedSync {
  sync: Sync
  close(): Promise<void>
}

export async function openNodeSync(
  config: RelayConfig & { sync: SyncConfig },
  log: Logger,
  now: (() => number) | undefined,
): Promise<OpenedSync> {
  const { openSyncDatabase } = await import('../sync/db/open-database')
  const { createSync } = await import('../sync/create-sync')
  const settings = config.sync
  const database = await openSyncDatabase(
    settings.databaseUrl
      ? { url: settings.databaseUrl }
      : { dataDir: join(settings.dataDir, 'postgres') },
  )
  const sync = createSync({
    database,
    relaySecrets: config.relaySecrets,
    cipher: nodeCipher,
    historyDays: settings.historyDays,
    detailDays: settings.detailDays,
    pollMinutes: settings.pollMinutes,
    ...(settings.webhook && { webhook: settings.webhook }),
    log,
    ...(now && { now }),
  })
  return {
    sync,
    async close() {
      await sync.close()
      await database.close()
    },
  }
}
