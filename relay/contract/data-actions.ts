/**
 * The Withings data services the relay forwards (`POST /api/withings/{service}`), each with the
 * only actions it lets through (Withings' scope table names them).
 */
export const DATA_ACTIONS = {
  measure: ['getmeas'],
  'v2/measure': ['getactivity', 'getintradayactivity', 'getworkouts'],
  'v2/sleep': ['get', 'getsummary'],
  'v2/heart': ['list', 'get'],
  'v2/user': ['getdevice', 'getgoals'],
} as const
export type DataService = keyof typeof DATA_ACTIONS
export type DataAction<S extends DataService = DataService> = (typeof DATA_ACTIONS)[S][number]
