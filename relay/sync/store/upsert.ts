import { type Kysely, sql } from 'kysely'
import type { SyncSchema } from '../db/schema'

// Idempotent writes: a row Withings sends again unchanged changes nothing and is not reported;
// a new row is `created`, a changed one `updated`. So a page fetched twice (a retry, a restart,
// a notification Withings sends twice) stores each record once and tells of it once.

export interface Changed<R> {
  row: R
  created: boolean
}

/** Rows per statement: under Postgres' 65,535 parameters for the widest table. */
const CHUNK = 500

export async function upsertRows<R extends object>(
  db: Kysely<SyncSchema>,
  table: keyof SyncSchema & string,
  keys: readonly (keyof R & string)[],
  rows: readonly R[],
  /** Columns whose change makes an update (the raw answer, where one is kept). */
  compare: readonly (keyof R & string)[],
): Promise<Changed<R>[]> {
  if (rows.length === 0) return []
  // One statement may not touch a row twice, and Withings may list an item twice in one answer
  // (a workout seen twice in a real Getworkouts page): the last of each key is the one kept.
  const unique = [
    ...new Map(rows.map((row) => [JSON.stringify(keys.map((key) => row[key])), row])).values(),
  ]
  const first = unique[0] as R
  const columns = Object.keys(first).filter((column) => !keys.includes(column as keyof R & string))
  // biome-ignore lint/suspicious/noExplicitAny: one helper for every table; rows are typed by the caller.
  const untyped = db as unknown as Kysely<any>
  const changed: Changed<R>[] = []
  for (let at = 0; at < unique.length; at += CHUNK) {
    const chunk = unique.slice(at, at + CHUNK)
    const result = await untyped
      .insertInto(table)
      .values(chunk)
      .onConflict((conflict) =>
        conflict
          .columns([...keys])
          .doUpdateSet(
            Object.fromEntries(columns.map((column) => [column, sql.ref(`excluded.${column}`)])),
          )
          .where(() => changedWhen(table, compare)),
      )
      // Every column but Withings' raw answer, which no event carries: read back, it would be
      // parsed for nothing (a page's worth of JSON, on the embedded database in the relay's own
      // thread). A row the insert made has no deleting transaction (xmax 0); an updated one has.
      .returning([...keys, ...columns.filter((column) => column !== 'raw')])
      .returning(sql<boolean>`(xmax = 0)`.as('__created'))
      .execute()
    for (const { __created, ...row } of result as (R & { __created: boolean })[]) {
      changed.push({ row: row as unknown as R, created: __created })
    }
  }
  return changed
}

function changedWhen(table: string, compare: readonly string[]) {
  const stored = sql.join(compare.map((column) => sql.ref(`${table}.${column}`)))
  const sent = sql.join(compare.map((column) => sql.ref(`excluded.${column}`)))
  return sql<boolean>`(${stored}) is distinct from (${sent})`
}
