import type { DataService, Scope } from '../../relay/contract/wire-contract'
import { localDay, ymd } from '../../web/app/data/series'
import { RelayRequestError } from '../../web/react/auth/relay-client'

// Withings' answers for page tests, in the shapes of the reference (measuregrp_object,
// activity_object, sleep_summary_object), small enough to read: what the relay would pass through.

const DAY = 86_400
const now = Math.floor(Date.now() / 1000)

/** Weights in grams, oldest first; the latest is the reference's example, 65750 × 10^-3 kg. */
export const WEIGHTS = [66_400, 66_120, 65_750]

const weightGroups = WEIGHTS.map((value, index) => ({
  grpid: 100 + index,
  attrib: 0,
  date: now - (WEIGHTS.length - index) * DAY,
  category: 1,
  measures: [{ value, type: 1, unit: -3 }],
}))

const pressureGroups = [
  {
    grpid: 200,
    attrib: 0,
    date: now - 2 * DAY,
    category: 1,
    measures: [
      { value: 82, type: 9, unit: 0 },
      { value: 124, type: 10, unit: 0 },
    ],
  },
  {
    grpid: 201,
    attrib: 0,
    date: now - DAY,
    category: 1,
    measures: [
      { value: 79, type: 9, unit: 0 },
      { value: 121, type: 10, unit: 0 },
    ],
  },
]

const days = [2, 1, 0].map((ago) => ymd((now - ago * DAY) * 1000))

const SCOPE_OF: Record<DataService, Scope> = {
  measure: 'user.metrics',
  'v2/heart': 'user.metrics',
  'v2/measure': 'user.activity',
  'v2/sleep': 'user.activity',
  'v2/user': 'user.info',
}

/** A relay `withings` that answers as the relay would for a session holding `scope`. */
export function fakeWithings(scope = 'user.metrics,user.activity') {
  return async (service: DataService, body: Record<string, unknown>): Promise<unknown> => {
    if (!scope.split(',').includes(SCOPE_OF[service])) {
      throw new RelayRequestError('scope_denied', 'This connection does not hold the scope.')
    }
    const types = String(body.meastypes ?? '')
    switch (`${service} ${body.action}`) {
      case 'measure getmeas': {
        const groups = types.includes('10') ? pressureGroups : weightGroups
        return { status: 0, body: { measuregrps: [...groups].reverse(), more: 0, offset: 0 } }
      }
      case 'v2/measure getactivity':
        return {
          status: 0,
          body: {
            activities: days.map((date, i) => ({ date, steps: 8000 + i * 1000 })),
            more: false,
            offset: 0,
          },
        }
      case 'v2/sleep getsummary':
        return {
          status: 0,
          body: {
            series: days.map((date, i) => {
              // In bed from 22:30 the evening before to 06:30.
              const startdate = localDay(date) / 1000 - 5_400
              const enddate = startdate + 8 * 3_600
              return { date, startdate, enddate, data: { total_sleep_time: 25_200 + i * 600 } }
            }),
            more: false,
            offset: 0,
          },
        }
      default:
        return { status: 0, body: { series: [], devices: [] } }
    }
  }
}
