import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Kysely, PostgresDialect } from 'kysely'
import { lockDataDir } from './datadir-lock'
import { migrate } from './migrations'
import { PARSERS } from './parsers'
import { type EmbeddedPostgres, PGliteDialect } from './pglite-dialect'
import type { SyncSchema } from './schema'

// The sync's database: Postgres, embedded (PGlite, in this process, in a data folder) or a server
// (node-postgres, DATABASE_URL). One schema, one SQL, identical rows. Each driver is an optional
// peer dependency, loaded only when asked for.

export type DatabaseOptions =
  /** A Postgres server: `postgres://user:password@host:port/database`. */
  | { url: string; poolSize?: number }
  /** PGlite in this folder (created when missing), locked against a second process. */
  | { dataDir: string }
  /** PGlite in memory: nothing kept (tests, trials). */
  | { memory: true }
  /** A PGlite the caller opened (and closes). */
  | { pglite: EmbeddedPostgres }

export interface SyncDatabase {
  readonly db: Kysely<SyncSchema>
  readonly kind: 'pglite' | 'postgres'
  /**
   * Calls `onMessage` with the payload of each NOTIFY on `channel` (what wakes the job workers at
   * once); resolves to a stop. On a server this holds one connection of its own.
   */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>
  close(): Promise<void>
}

/** The Postgres major version the pinned PGlite (0.6.1) writes in a data folder's PG_VERSION. */
export const PGLITE_PG_VERSION = '19'

/** Opens the database and applies the migrations it lacks. */
export async function openSyncDatabase(options: DatabaseOptions): Promise<SyncDatabase> {
  const database = 'url' in options ? await openServer(options) : await openEmbedded(options)
  try {
    await migrate(database.db)
  } catch (error) {
    await database.close()
    throw error
  }
  return database
}

async function openServer({ url, poolSize = 10 }: { url: string; poolSize?: number }) {
  const pg = await importPeer<typeof import('pg')>('pg', () => import('pg'))
  const { Pool, Client, types } = pg.default
  const typeParsers = {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      PARSERS[oid] ?? types.getTypeParser(oid, format as 'text')) as typeof types.getTypeParser,
  }
  // Per pool, never pg's global registry: the app's own pg code keeps its own readings.
  const pool = new Pool({ connectionString: url, max: poolSize, types: typeParsers })
  // An idle client that loses its server (a restart) emits 'error': the pool replaces it.
  pool.on('error', () => {})
  const db = new Kysely<SyncSchema>({ dialect: new PostgresDialect({ pool }) })
  return {
    db,
    kind: 'postgres' as const,
    async listen(channel: string, onMessage: (payload: string) => void) {
      const client = new Client({ connectionString: url, types: typeParsers })
      client.on('error', () => {})
      client.on('notification', (message) => {
        if (message.channel === channel) onMessage(message.payload ?? '')
      })
      await client.connect()
      await client.query(`listen ${quoteIdentifier(channel)}`)
      return async () => {
        await client.end().catch(() => {})
      }
    },
    async close() {
      await db.destroy()
    },
  }
}

async function openEmbedded(
  options: { dataDir: string } | { memory: true } | { pglite: EmbeddedPostgres },
) {
  let lite: EmbeddedPostgres
  let release = () => {}
  if ('pglite' in options) {
    lite = options.pglite
  } else {
    const { PGlite } = await importPeer<typeof import('@electric-sql/pglite')>(
      '@electric-sql/pglite',
      () => import('@electric-sql/pglite'),
    )
    if ('dataDir' in options) {
      checkDataDirVersion(options.dataDir)
      release = lockDataDir(options.dataDir)
    }
    try {
      lite = await PGlite.create('dataDir' in options ? { dataDir: options.dataDir } : {})
    } catch (error) {
      release()
      throw error
    }
  }
  const owned = !('pglite' in options)
  const db = new Kysely<SyncSchema>({ dialect: new PGliteDialect(lite) })
  return {
    db,
    kind: 'pglite' as const,
    async listen(channel: string, onMessage: (payload: string) => void) {
      return lite.listen(channel, onMessage)
    },
    async close() {
      await db.destroy()
      if (owned && !lite.closed) await lite.close()
      release()
    },
  }
}

/**
 * PGlite opens only a folder written by its own Postgres major version; another one fails deep
 * inside the engine with an unhelpful message. So the folder's PG_VERSION is read first.
 */
function checkDataDirVersion(dataDir: string) {
  const file = join(dataDir, 'PG_VERSION')
  if (!existsSync(file)) return
  const found = readFileSync(file, 'utf8').trim()
  if (found !== PGLITE_PG_VERSION) {
    throw new Error(
      `The database in ${dataDir} was written by Postgres ${found}, and this version of withings-link embeds Postgres ${PGLITE_PG_VERSION} (PGlite 0.6.1), which cannot open it. Move the folder away (or set DATA_DIR to another one) to start afresh, or use a Postgres server (DATABASE_URL).`,
    )
  }
}

/** An optional peer dependency, or an error that says what to install. */
async function importPeer<T>(name: string, load: () => Promise<unknown>): Promise<T> {
  try {
    return (await load()) as T
  } catch (error) {
    const missing =
      error instanceof Error &&
      (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' &&
      error.message.includes(name)
    if (!missing) throw error
    throw new Error(`withings-link/sync needs ${name}: run \`npm install ${name}\`.`, {
      cause: error,
    })
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`
}
