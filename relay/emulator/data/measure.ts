import type { ServiceHandler } from './data-service'
import { InvalidParams, offsetParam, optionalInt, optionalIntList, page } from './query'

// Measure - Getmeas (reference: measure-getmeas, measuregrp_object, measure_object). Values are
// integers with a decimal exponent: value × 10^unit, e.g. weight {value: 65750, unit: -3}. The
// groups have the shape real answers have, which differs from the reference's here and there
// (each difference names the answer it was seen in).

export const MEASURE_TYPES = {
  weight: 1,
  height: 4,
  fatFreeMass: 5,
  fatRatio: 6,
  fatMassWeight: 8,
  diastolic: 9,
  systolic: 10,
  heartPulse: 11,
  /** Body Scan's muscle mass per body part (aiowithings' MeasurementType). */
  muscleMassForSegments: 175,
  /** Body Scan's basal metabolic rate, kcal, at the whole-body position (aiowithings' measurement_list_2.json). */
  basalMetabolicRate: 226,
  /** Body Scan's metabolic age, years (aiowithings' MeasurementType, pull request 477). */
  metabolicAge: 227,
} as const

/** measuregrp_object.attrib (reference), the values the seed uses. */
export const ATTRIBUTION = {
  /** Captured by a device, known to be this user's. */
  device: 0,
  /** Captured by a device but may belong to other users: a guest on a shared scale. */
  ambiguous: 1,
  /** Entered by hand for this user. */
  manual: 2,
  /** Entered by hand when the account was made. */
  accountCreation: 4,
} as const

/**
 * Attributions the reference does not document that a Body Scan 2 sends beside its weighings
 * (joostlek/python-withings issue 883, "10009 and 10010 are unsupported values"); what their
 * groups hold is not recorded, so the seed gives them readings a client must not take for the
 * person's own.
 */
export const UNDOCUMENTED_ATTRIBUTIONS = [10009, 10010] as const

/** measure_object.position: whole body (aiowithings' MeasurementPosition; the reference skips 7). */
export const WHOLE_BODY = 7

export interface Measure {
  value: number
  type: number
  unit: number
  /** Deprecated in the reference, still sent. */
  algo: number
  fm: number
  /** Where on the body, for the types a Body Scan measures per part or repeats (reference). */
  position?: number
}

export interface MeasureGroup {
  grpid: number
  attrib: number
  date: number
  created: number
  modified: number
  category: number
  /** null for a group entered by hand: no device took it. */
  deviceid: string | null
  hash_deviceid: string | null
  model: string | null
  /** `modelid`, not the reference's `model_id`, and a `comment` that is null: so real answers
   * read (aiowithings' measurement_list.json and measurement_positions.json fixtures). */
  modelid: number | null
  comment: string | null
  measures: Measure[]
  timezone: string
}

export const getmeas: ServiceHandler = ({ params, data, now, pageSize }) => {
  const single = optionalInt(params, 'meastype')
  const list = optionalIntList(params, 'meastypes')
  const types =
    single === undefined && list === undefined
      ? undefined
      : new Set([...(single === undefined ? [] : [single]), ...(list ?? [])])
  const category = optionalInt(params, 'category')
  if (category !== undefined && category !== 1 && category !== 2)
    throw new InvalidParams('category')
  const startdate = optionalInt(params, 'startdate')
  const enddate = optionalInt(params, 'enddate')
  const lastupdate = optionalInt(params, 'lastupdate')
  const offset = offsetParam(params)

  const matching = data.measuregrps
    .filter(
      (group) =>
        (category === undefined || group.category === category) &&
        (startdate === undefined || group.date >= startdate) &&
        (enddate === undefined || group.date <= enddate) &&
        (lastupdate === undefined || group.modified >= lastupdate),
    )
    .map((group) =>
      types ? { ...group, measures: group.measures.filter((m) => types.has(m.type)) } : group,
    )
    .filter((group) => group.measures.length > 0)
    // Newest first, as Withings lists measure groups.
    .sort((a, b) => b.date - a.date || b.grpid - a.grpid)

  const result = page(matching, offset, pageSize)
  return {
    // An integer, though the reference types it as a string (home-assistant/core's
    // get_meas.json fixture).
    updatetime: Math.floor(now / 1000),
    timezone: data.user.timezone,
    measuregrps: result.items,
    // getmeas types `more` as an integer (1/0), unlike the v2 services' booleans; the last page
    // may carry neither `more` nor `offset` (aiowithings' measurement.json fixture).
    ...(result.more && { more: 1, offset: result.offset }),
  }
}
