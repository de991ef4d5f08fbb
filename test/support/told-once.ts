import { type Kysely, sql } from 'kysely'
import type { SyncSchema } from '../../relay/sync/db/schema'
import { until } from './until'
import type { Receiver } from './webhook-receiver'

// Whether the app's receiver was told each stored change once: every event of the outbox taken
// (none lost), and no record in two events (none doubled). A retry of one event (the same
// webhook-id again, after a failure or a restart) is at least once working as it should, and is
// counted apart.

/** What identifies a record in each kind of event (Withings' own ids). */
const KEYS: Record<string, readonly string[]> = {
  measures: ['grpid', 'type', 'seq'],
  activity: ['userid', 'date'],
  workouts: ['id'],
  sleep: ['id'],
  sleep_series: ['userid', 'startdate'],
  intraday: ['userid', 'at'],
  heart: ['signalid'],
  devices: ['userid', 'deviceid'],
  bed: ['userid', 'appli', 'at'],
}

export interface Told {
  /** Events in the outbox. */
  events: number
  /** Events the receiver took (answered 2xx), each once. */
  delivered: number
  /** Events the receiver never took. */
  lost: number
  /** Records told in more than one event. */
  doubled: number
  /** Events the receiver got more than once (the same webhook-id: a retry). */
  retried: number
}

export async function told(receiver: Receiver, db: Kysely<SyncSchema>): Promise<Told> {
  const { rows } = await sql<{ webhook_id: string }>`select webhook_id from sync_event`.execute(db)
  const taken = new Map(receiver.accepted().map((delivery) => [delivery.id, delivery]))
  const seen = new Map<string, number>()
  for (const delivery of taken.values()) {
    const kind = delivery.type.split('.')[0] ?? ''
    for (const record of delivery.data.records ?? []) {
      const key = `${kind}:${(KEYS[kind] ?? []).map((column) => record[column]).join(':')}`
      seen.set(key, (seen.get(key) ?? 0) + 1)
    }
  }
  return {
    events: rows.length,
    delivered: taken.size,
    lost: rows.filter((row) => !taken.has(row.webhook_id)).length,
    doubled: [...seen.values()].filter((count) => count > 1).length,
    retried: receiver.repeatedIds().length,
  }
}

/** Waits until the receiver took every event of the outbox; then what it was told. */
export function allTold(
  receiver: Receiver,
  db: Kysely<SyncSchema>,
  timeoutMs = 20_000,
): Promise<Told> {
  return until(
    () => told(receiver, db),
    (got) => got.lost === 0,
    timeoutMs,
    100,
  )
}
