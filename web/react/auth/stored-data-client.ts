import type {
  StoredActivityDay,
  StoredMeasure,
  StoredSleepPeriod,
  SyncStatus,
} from '../../../relay/contract/stored-data'
import { asRelayError, type RelayClient, RelayRequestError } from './relay-client'

// The person's data as the app's database keeps it (`GET /api/data/*`, sync on): a view reads
// the store, never Withings, and reaches as far back as the import did. Answers are checked for
// their shape, item by item, like any other answer from the network.

export interface StoredDataClient {
  status(): Promise<SyncStatus>
  /** The person's own measures of these types, between two Unix times. */
  measures(query: { types: readonly number[]; from: number; to?: number }): Promise<StoredMeasure[]>
  /** Days `YYYY-MM-DD`, inclusive. */
  activity(query: { from: string; to: string }): Promise<StoredActivityDay[]>
  /** Sleep periods filed under those days, naps marked. */
  sleep(query: { from: string; to: string }): Promise<StoredSleepPeriod[]>
  /** Where the person downloads everything stored of them (a JSON file). */
  readonly exportUrl: string
}

export function createStoredData({
  relay,
  onSessionEnded,
  relayUrl = '',
}: {
  relay: Pick<RelayClient, 'stored'>
  onSessionEnded: () => void
  relayUrl?: string
}): StoredDataClient {
  async function get(path: string, list: string): Promise<unknown[]> {
    let answer: unknown
    try {
      answer = await relay.stored(path)
    } catch (error) {
      const problem = asRelayError(error)
      if (problem.code === 'session_expired') onSessionEnded()
      throw problem
    }
    const items = isRecord(answer) ? answer[list] : undefined
    if (!Array.isArray(items)) {
      throw new RelayRequestError('unexpected_response', 'The relay sent no stored data.')
    }
    return items
  }
  const query = (fields: Record<string, string | number | undefined>) =>
    new URLSearchParams(
      Object.entries(fields).flatMap(([name, value]) =>
        value === undefined ? [] : [[name, String(value)]],
      ),
    ).toString()

  return {
    async status() {
      let answer: unknown
      try {
        answer = await relay.stored('status')
      } catch (error) {
        const problem = asRelayError(error)
        if (problem.code === 'session_expired') onSessionEnded()
        throw problem
      }
      const status = parseStatus(answer)
      if (!status) throw new RelayRequestError('unexpected_response', 'The relay sent no status.')
      return status
    },
    async measures({ types, from, to }) {
      const items = await get(`measures?${query({ types: types.join(','), from, to })}`, 'measures')
      return items.filter(isMeasure)
    },
    async activity(range) {
      return (await get(`activity?${query(range)}`, 'days')).filter(isDay)
    },
    async sleep(range) {
      return (await get(`sleep?${query(range)}`, 'periods')).filter(isPeriod)
    },
    exportUrl: `${relayUrl}/api/data/export`,
  }
}

type Fields = Record<string, unknown>
const isRecord = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const isNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value)
const numberOrNull = (value: unknown) => value === null || isNumber(value)

const isMeasure = (item: unknown): item is StoredMeasure =>
  isRecord(item) &&
  isNumber(item.type) &&
  isNumber(item.value) &&
  isNumber(item.time) &&
  typeof item.is_own === 'boolean'

const isDay = (item: unknown): item is StoredActivityDay =>
  isRecord(item) && typeof item.date === 'string' && numberOrNull(item.steps)

const isPeriod = (item: unknown): item is StoredSleepPeriod =>
  isRecord(item) &&
  typeof item.date === 'string' &&
  isNumber(item.startdate) &&
  isNumber(item.enddate) &&
  typeof item.is_nap === 'boolean' &&
  numberOrNull(item.total_sleep_time)

const STATES = ['importing', 'ready', 'needs_reauth'] as const
const SOURCE_STATES = ['pending', 'importing', 'done', 'failed'] as const

function parseStatus(value: unknown): SyncStatus | undefined {
  if (!isRecord(value) || !Array.isArray(value.sources)) return undefined
  const state = STATES.find((known) => known === value.state)
  if (!state) return undefined
  const sources = value.sources.flatMap((source: unknown) => {
    if (!isRecord(source) || typeof source.source !== 'string' || !isNumber(source.records)) {
      return []
    }
    const sourceState = SOURCE_STATES.find((known) => known === source.state)
    return sourceState
      ? [{ source: source.source, state: sourceState, records: source.records }]
      : []
  })
  const updated = isNumber(value.updated_at) ? value.updated_at : null
  return { state, sources, updated_at: updated }
}
