import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely'
import { PARSERS } from './parsers'

// Kysely on PGlite. No published dialect fits: kysely-pglite-dialect's peer range stops at PGlite
// 0.4 (npm refuses to install it beside 0.6) and it has no savepoints. PGlite is one session, so
// the driver hands its one connection to one holder at a time (a FIFO queue): without it, a query
// sent while another caller's transaction is open would run inside that transaction and be
// rolled back with it.

/**
 * What the sync uses of a PGlite instance (its own type is not named, so that an app's
 * declarations need none of PGlite's, which reach for Emscripten's).
 */
export interface EmbeddedPostgres {
  query<R>(
    sql: string,
    params?: unknown[],
    options?: { parsers?: Record<number, (text: string) => unknown> },
  ): Promise<{ rows: R[]; affectedRows?: number }>
  readonly waitReady: Promise<void>
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>
  close(): Promise<void>
  readonly closed: boolean
}

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly lite: EmbeddedPostgres) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    // The parsers go with each query: a PGlite the app opened, or a clone, has its own defaults.
    const result = await this.lite.query<R>(query.sql, query.parameters as unknown[], {
      parsers: PARSERS,
    })
    return {
      rows: result.rows,
      numAffectedRows: result.affectedRows === undefined ? undefined : BigInt(result.affectedRows),
    }
  }

  // biome-ignore lint/correctness/useYield: PGlite has no cursors to stream from.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming queries are not supported on PGlite.')
  }
}

class PGliteDriver implements Driver {
  readonly #connection: PGliteConnection
  #tail: Promise<void> = Promise.resolve()
  #release: (() => void) | undefined

  constructor(private readonly lite: EmbeddedPostgres) {
    this.#connection = new PGliteConnection(lite)
  }

  async init() {
    await this.lite.waitReady
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    let release!: () => void
    const previous = this.#tail
    this.#tail = new Promise<void>((resolve) => {
      release = resolve
    })
    await previous
    this.#release = release
    return this.#connection
  }

  async releaseConnection() {
    const release = this.#release
    this.#release = undefined
    release?.()
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    const level = settings.isolationLevel
    await connection.executeQuery(
      CompiledQuery.raw(level ? `start transaction isolation level ${level}` : 'begin'),
    )
  }

  async commitTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw('commit'))
  }

  async rollbackTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw('rollback'))
  }

  async savepoint(connection: DatabaseConnection, name: string) {
    await connection.executeQuery(CompiledQuery.raw(`savepoint "${name}"`))
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string) {
    await connection.executeQuery(CompiledQuery.raw(`rollback to savepoint "${name}"`))
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string) {
    await connection.executeQuery(CompiledQuery.raw(`release savepoint "${name}"`))
  }

  // The PGlite instance belongs to whoever opened it (open-database.ts closes it).
  async destroy() {}
}

export class PGliteDialect implements Dialect {
  constructor(private readonly lite: EmbeddedPostgres) {}
  createAdapter() {
    return new PostgresAdapter()
  }
  createDriver() {
    return new PGliteDriver(this.lite)
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler()
  }
  // biome-ignore lint/suspicious/noExplicitAny: Kysely's own signature.
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db)
  }
}
