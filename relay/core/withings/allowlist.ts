import type { DataAction, DataService } from '../../contract/wire-contract'

// What the data proxy lets through to Withings, as data: per service and action, the parameters
// the reference documents (withings-openapi.yml, one operationId each) and the values each may
// take. Anything not listed here is refused before a request leaves the relay.

export type ParamRule =
  | { kind: 'integer'; min: number; max: number }
  /** Comma-separated integers, e.g. `meastypes=1,4,12`; a JSON array of them is accepted too. */
  | { kind: 'integers'; min: number; max: number; most: number }
  /** A real calendar day, `YYYY-MM-DD` (the reference's `Y-m-d`). */
  | { kind: 'ymd' }
  | { kind: 'choice'; values: readonly number[] }
  /** Comma-separated names from a fixed list (`data_fields`); a JSON array of them too. */
  | { kind: 'names'; values: readonly string[] }
  | { kind: 'boolean' }

export interface ActionRules {
  params: Readonly<Record<string, ParamRule>>
  /**
   * Exactly one of these groups must be present, and complete: the reference marks the others
   * "DO NOT USE WITH" (e.g. `startdateymd` + `enddateymd` or `lastupdate`).
   */
  oneOf?: readonly (readonly string[])[]
}

// Unix timestamps up to 2100-01-01: enough for any real query, small enough to stay exact.
const TIMESTAMP: ParamRule = { kind: 'integer', min: 0, max: 4_102_444_800 }
const OFFSET: ParamRule = { kind: 'integer', min: 0, max: 2_147_483_647 }
const YMD: ParamRule = { kind: 'ymd' }
// The reference's meastype table runs from 1 to 229; the bound leaves room for new types.
const MEASTYPE: ParamRule = { kind: 'integer', min: 1, max: 9_999 }
const MEASTYPES: ParamRule = { kind: 'integers', min: 1, max: 9_999, most: 64 }
const DAY_WINDOW = [['startdateymd', 'enddateymd'], ['lastupdate']] as const

/** `data_fields` names, as the reference lists them, separated by spaces. */
const fields = (names: string): ParamRule => ({ kind: 'names', values: names.trim().split(/\s+/) })
// Getactivity and Getworkouts both offer these.
const HEART_RATE_FIELDS = 'hr_average hr_min hr_max hr_zone_0 hr_zone_1 hr_zone_2 hr_zone_3'
/** Getactivity, Getworkouts, Getsummary: days, or what changed since `lastupdate`, in pages. */
const DAY_WINDOW_PARAMS = {
  startdateymd: YMD,
  enddateymd: YMD,
  lastupdate: TIMESTAMP,
  offset: OFFSET,
} as const

export const ALLOWLIST: { [S in DataService]: { [A in DataAction<S>]: ActionRules } } = {
  measure: {
    // measure-getmeas
    getmeas: {
      params: {
        meastype: MEASTYPE,
        meastypes: MEASTYPES,
        category: { kind: 'choice', values: [1, 2] },
        startdate: TIMESTAMP,
        enddate: TIMESTAMP,
        lastupdate: TIMESTAMP,
        offset: OFFSET,
      },
    },
  },
  'v2/measure': {
    // measurev2-getactivity
    getactivity: {
      params: {
        ...DAY_WINDOW_PARAMS,
        data_fields: fields(`
          steps distance elevation soft moderate intense active calories totalcalories
          ${HEART_RATE_FIELDS}
        `),
      },
      oneOf: DAY_WINDOW,
    },
    // measurev2-getintradayactivity
    getintradayactivity: {
      params: {
        startdate: TIMESTAMP,
        enddate: TIMESTAMP,
        data_fields: fields(`
          steps elevation calories distance stroke pool_lap duration heart_rate spo2_auto rmssd
          sdnn1 hrv_quality core_body_temperature rr chest_movement_rate
        `),
      },
    },
    // measurev2-getworkouts
    getworkouts: {
      params: {
        ...DAY_WINDOW_PARAMS,
        data_fields: fields(`
          calories intensity manual_intensity manual_distance manual_calories ${HEART_RATE_FIELDS}
          pause_duration algo_pause_duration spo2_average core_body_temperature_avg
          core_body_temperature_min core_body_temperature_max core_body_temperature_status steps
          distance elevation pool_laps strokes pool_length
        `),
      },
      oneOf: DAY_WINDOW,
    },
  },
  'v2/sleep': {
    // sleepv2-get
    get: {
      params: {
        startdate: TIMESTAMP,
        enddate: TIMESTAMP,
        meastypes: MEASTYPES,
        data_fields: fields(`
          hr rr snoring sdnn_1 rmssd hrv_quality mvt_score chest_movement_rate withings_index
          breathing_sounds
        `),
      },
      oneOf: [['startdate', 'enddate']],
    },
    // sleepv2-getsummary. The reference lists no `offset` parameter, yet its answer carries
    // `more` and `offset` ("Offset to use to retrieve the next data"): following that needs it.
    getsummary: {
      params: {
        ...DAY_WINDOW_PARAMS,
        data_fields: fields(`
          total_timeinbed total_sleep_time asleepduration lightsleepduration remsleepduration
          deepsleepduration sleep_efficiency sleep_latency wakeup_latency wakeupduration wakeupcount
          waso nb_rem_episodes breathing_disturbances_intensity apnea_hypopnea_index withings_index
          durationtosleep durationtowakeup out_of_bed_count hr_average hr_min hr_max rr_average
          rr_min rr_max breathing_quality_assessment snoring snoringepisodecount sleep_score
          night_events mvt_score_avg mvt_active_duration rmssd_start_avg rmssd_end_avg
          chest_movement_rate_wellness_average chest_movement_rate_wellness_min
          chest_movement_rate_wellness_max breathing_sounds breathing_sounds_episode_count
          chest_movement_rate_average chest_movement_rate_min chest_movement_rate_max
          core_body_temperature_min core_body_temperature_max core_body_temperature_avg
          core_body_temperature_status
        `),
      },
      oneOf: DAY_WINDOW,
    },
  },
  'v2/heart': {
    // heartv2-list
    list: { params: { startdate: TIMESTAMP, enddate: TIMESTAMP, offset: OFFSET } },
    // heartv2-get, the access-token form: client_id, signature, nonce and signal_token belong to
    // the signed form the reference says not to mix with an access token.
    get: {
      params: {
        signalid: { kind: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER },
        with_filtered: { kind: 'boolean' },
        with_intervals: { kind: 'boolean' },
      },
      oneOf: [['signalid']],
    },
  },
  'v2/user': {
    // userv2-getdevice, userv2-getgoals: the action alone.
    getdevice: { params: {} },
    getgoals: { params: {} },
  },
}
