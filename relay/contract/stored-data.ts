// What the relay's `/api/data/*` routes answer when sync is on: the person's data as stored in
// the app's own database, read without a call to Withings. Times are Unix seconds, days
// `YYYY-MM-DD`, values decoded (72.35 kg, not 72350 and -3). No imports: pages may use it.

/** The kinds of record a change of the store is about (the live stream's `stored` event). */
export const STORED_KINDS = [
  'measures',
  'activity',
  'workouts',
  'sleep',
  'heart',
  'intraday',
  'sleep_series',
  'devices',
  'bed',
] as const
export type StoredKind = (typeof STORED_KINDS)[number]

/** Where an import stands, per source (`GET /api/data/status`). */
export interface SyncStatus {
  /** `importing` until every source of the first import is done; `needs_reauth` when Withings refused the connection. */
  state: 'importing' | 'ready' | 'needs_reauth'
  sources: { source: string; state: 'pending' | 'importing' | 'done' | 'failed'; records: number }[]
  /** When the store last changed for this person (Unix seconds), if ever. */
  updated_at: number | null
}

export interface StoredMeasure {
  grpid: number
  type: number
  /** null for a type the catalogue does not list (its id is kept). */
  type_name: string | null
  unit: string | null
  value: number
  position: number | null
  /** Unix seconds. */
  time: number
  attribution: string
  /** False for a guest's measure on a shared device (attrib 1): stored, never the person's. */
  is_own: boolean
  deviceid: string | null
  model: string | null
}

export interface StoredActivityDay {
  date: string
  steps: number | null
  distance: number | null
  calories: number | null
  totalcalories: number | null
  active: number | null
  hr_average: number | null
  /** False for a day a phone counted. */
  is_tracker: boolean | null
}

export interface StoredSleepPeriod {
  id: number
  /** The day it ends on, as Withings files it. */
  date: string
  startdate: number
  enddate: number
  is_nap: boolean
  /** Seconds; null when Withings says "not available" (-1). */
  total_sleep_time: number | null
  total_timeinbed: number | null
  sleep_score: number | null
}

/** `GET /api/data/{kind}`: the answers by kind. */
export interface StoredData {
  status: SyncStatus
  measures: { measures: StoredMeasure[] }
  activity: { days: StoredActivityDay[] }
  sleep: { periods: StoredSleepPeriod[] }
}

/** What the relay asks the sync for, parsed from the page's query. */
export type DataQuery =
  | { kind: 'status' }
  | { kind: 'measures'; types: number[] | undefined; from: number; to: number }
  | { kind: 'activity' | 'sleep'; from: string; to: string }
  | { kind: 'export' }

/** The live stream's `stored` event: what changed in the store (a hint to read it again). */
export interface StoredNews {
  kinds: StoredKind[]
  /** Set while the first import runs. */
  importing?: boolean
}

/** The `stored` event's data as JSON gave it back. */
export function parseStoredNews(value: unknown): StoredNews | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { kinds, importing } = value as Record<string, unknown>
  if (!Array.isArray(kinds)) return undefined
  const known = kinds.filter((kind): kind is StoredKind =>
    STORED_KINDS.includes(kind as StoredKind),
  )
  return { kinds: known, ...(typeof importing === 'boolean' && { importing }) }
}
