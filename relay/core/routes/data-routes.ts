import { type Context, Hono } from 'hono'
import type { DataQuery } from '../../contract/stored-data'
import { RelayError } from '../errors'
import type { RelayEnv } from '../http/request-log'
import type { Sessions } from '../session/sessions'
import type { SyncHooks } from '../sync/sync-port'

// `GET /api/data/*` (sync on): the person's data as the app's database holds it, for their own
// pages. A view calls Withings not once, and reaches as far back as the import did.
//   status                          the import's progress, per source
//   measures?types=1,9&from&to     Unix seconds; the person's own measures (guests left out)
//   activity?from&to, sleep?from&to  days, YYYY-MM-DD inclusive
//   export                          everything stored of the person, as a JSON download

const DAY = 86_400
const MAX_TYPES = 64

export function dataRoutes(options: {
  sessions: Sessions
  sync: SyncHooks
  now: () => number
}): Hono<RelayEnv> {
  const { sessions, sync, now } = options
  const answer = async (c: Context<RelayEnv>, query: (seconds: number) => DataQuery) => {
    const { userid } = await sessions.current(c)
    return c.json((await sync.read(userid, query(Math.floor(now() / 1000)))) as object)
  }
  return new Hono<RelayEnv>()
    .get('/status', (c) => answer(c, () => ({ kind: 'status' })))
    .get('/measures', (c) =>
      answer(c, (seconds) => ({
        kind: 'measures',
        types: typesOf(c.req.query('types')),
        from: unixOf(c.req.query('from'), 'from') ?? seconds - 90 * DAY,
        to: unixOf(c.req.query('to'), 'to') ?? seconds + DAY,
      })),
    )
    .get('/activity', (c) => answer(c, (seconds) => ({ kind: 'activity', ...daysOf(c, seconds) })))
    .get('/sleep', (c) => answer(c, (seconds) => ({ kind: 'sleep', ...daysOf(c, seconds) })))
    .get('/export', async (c) => {
      const { userid } = await sessions.current(c)
      const everything = await sync.read(userid, { kind: 'export' })
      c.header('content-disposition', `attachment; filename="withings-data-${userid}.json"`)
      return c.json(everything as object)
    })
}

function typesOf(text: string | undefined): number[] | undefined {
  if (text === undefined || text === '') return undefined
  const types = text.split(',').map((item) => (/^\d{1,4}$/.test(item) ? Number(item) : NaN))
  if (types.length > MAX_TYPES || types.some((type) => !Number.isInteger(type) || type < 1)) {
    throw new RelayError('bad_request', `'types' must list 1 to ${MAX_TYPES} measure type ids.`)
  }
  return types
}

function unixOf(text: string | undefined, name: string): number | undefined {
  if (text === undefined || text === '') return undefined
  if (!/^\d{1,11}$/.test(text)) {
    throw new RelayError('bad_request', `'${name}' must be a Unix time in seconds.`)
  }
  return Number(text)
}

function daysOf(c: Context, seconds: number): { from: string; to: string } {
  const ymd = (at: number) => new Date(at * 1000).toISOString().slice(0, 10)
  const day = (name: 'from' | 'to', fallback: string) => {
    const text = c.req.query(name)
    if (text === undefined || text === '') return fallback
    const date = new Date(`${text}T00:00:00Z`)
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(date.getTime())) {
      throw new RelayError('bad_request', `'${name}' must be a calendar day written YYYY-MM-DD.`)
    }
    return text
  }
  return { from: day('from', ymd(seconds - 30 * DAY)), to: day('to', ymd(seconds + DAY)) }
}
