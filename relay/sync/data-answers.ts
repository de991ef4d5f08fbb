import type {
  DataQuery,
  StoredActivityDay,
  StoredMeasure,
  StoredSleepPeriod,
} from '../contract/stored-data'
import type { SyncQueries } from './queries'

// The relay's /api/data answers for the person's own pages (relay/contract/stored-data.ts): the
// typed queries' rows, shaped for a chart (Unix seconds, decoded values, the person's own).

const seconds = (date: Date) => Math.floor(date.getTime() / 1000)

export async function answerDataQuery(
  queries: SyncQueries,
  userid: number,
  query: DataQuery,
): Promise<unknown> {
  switch (query.kind) {
    case 'status':
      return queries.status(userid)
    case 'export':
      return queries.exportAll(userid)
    case 'measures': {
      const rows = await queries.measures(userid, {
        from: new Date(query.from * 1000),
        to: new Date(query.to * 1000),
        ...(query.types && { types: query.types }),
      })
      const measures: StoredMeasure[] = rows
        .filter((row) => row.category === 1)
        .map((row) => ({
          grpid: row.grpid,
          type: row.type,
          type_name: row.type_name,
          unit: row.unit,
          value: row.value,
          position: row.position,
          time: seconds(row.measured_at),
          attribution: row.attribution,
          is_own: row.is_own,
          deviceid: row.deviceid,
          model: row.model,
        }))
      return { measures }
    }
    case 'activity': {
      const rows = await queries.activity(userid, { from: query.from, to: query.to })
      const days: StoredActivityDay[] = rows.map((row) => ({
        date: row.date,
        steps: row.steps,
        distance: row.distance,
        calories: row.calories,
        totalcalories: row.totalcalories,
        active: row.active,
        hr_average: row.hr_average,
        is_tracker: row.is_tracker,
      }))
      return { days }
    }
    case 'sleep': {
      const rows = await queries.sleep(userid, { from: query.from, to: query.to, naps: true })
      const periods: StoredSleepPeriod[] = rows.map((row) => ({
        id: row.id,
        date: row.date,
        startdate: seconds(row.startdate),
        enddate: seconds(row.enddate),
        is_nap: row.is_nap,
        total_sleep_time: row.total_sleep_time,
        total_timeinbed: row.total_timeinbed,
        sleep_score: row.sleep_score,
      }))
      return { periods }
    }
  }
}
