import { InvalidParams, offsetParam, optionalInt, optionalIntList, page } from './query'
import type { SeedContext } from './seed-context'
import type { ServiceHandler } from './service'

// Measure - Getmeas (reference: measure-getmeas, measuregrp_object, measure_object). Values are
// integers with a decimal exponent: value × 10^unit, e.g. weight {value: 65750, unit: -3}.

export const MEASURE_TYPES = {
  weight: 1,
  height: 4,
  fatFreeMass: 5,
  fatRatio: 6,
  fatMassWeight: 8,
  diastolic: 9,
  systolic: 10,
  heartPulse: 11,
} as const

export interface Measure {
  value: number
  type: number
  unit: number
  /** Deprecated in the reference, still sent. */
  algo: number
  fm: number
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
  model_id: number | null
  measures: Measure[]
  timezone: string
}

const measure = (type: number, value: number, unit: number): Measure => ({
  value,
  type,
  unit,
  algo: 0,
  fm: 1,
})

/** Oldest first: height once, weight + body composition most mornings, blood pressure ~3×/week. */
export function seedMeasureGroups(ctx: SeedContext): MeasureGroup[] {
  const { user, days, devices, until } = ctx
  const profile = ctx.random('profile')
  const height = profile.int(158, 190) / 100
  const baseWeight = profile.between(20, 26.5) * height * height
  const drift = profile.between(-3, 1.5)
  const baseFat = profile.between(15, 29)
  const systolic = profile.int(110, 128)
  const diastolic = profile.int(70, 82)
  const pulse = profile.int(60, 74)

  const groups: Omit<MeasureGroup, 'grpid'>[] = []
  const firstDay = days[0] ?? ''
  const heightDate = ctx.at(firstDay, 9 * 60)
  // Attrib 4: "entered manually during user creation" (reference, measuregrp_object.attrib).
  groups.push({
    attrib: 4,
    date: heightDate,
    created: heightDate,
    modified: heightDate,
    category: 1,
    deviceid: null,
    hash_deviceid: null,
    model: null,
    model_id: null,
    measures: [measure(MEASURE_TYPES.height, Math.round(height * 100), -2)],
    timezone: user.timezone,
  })

  const weights = ctx.random('weight')
  let noise = 0
  days.forEach((day, index) => {
    noise = noise * 0.8 + weights.normal(0, 0.25)
    const weighed = weights.chance(0.85)
    const date = ctx.at(day, weights.int(6 * 60 + 15, 8 * 60 + 30)) + weights.int(0, 59)
    const fat = baseFat + weights.normal(0, 0.4)
    const sync = weights.int(20, 600)
    if (!weighed || date + sync > until) return
    const grams = Math.round((baseWeight + (drift * index) / days.length + noise) * 100) * 10
    const fatGrams = Math.round((grams * fat) / 100)
    groups.push({
      attrib: 0,
      date,
      created: date + sync,
      modified: date + sync,
      category: 1,
      deviceid: devices.scale.deviceid,
      hash_deviceid: devices.scale.deviceid,
      model: devices.scale.model,
      model_id: devices.scale.model_id,
      measures: [
        measure(MEASURE_TYPES.weight, grams, -3),
        measure(MEASURE_TYPES.fatRatio, Math.round(fat * 1000), -3),
        measure(MEASURE_TYPES.fatMassWeight, fatGrams, -3),
        measure(MEASURE_TYPES.fatFreeMass, grams - fatGrams, -3),
      ],
      timezone: user.timezone,
    })
  })

  const pressures = ctx.random('blood-pressure')
  for (const day of days) {
    const taken = pressures.chance(0.45)
    const date = ctx.at(day, pressures.int(19 * 60 + 30, 21 * 60 + 30)) + pressures.int(0, 59)
    const values = [
      Math.round(pressures.normal(diastolic, 5)),
      Math.round(pressures.normal(systolic, 7)),
      Math.round(pressures.normal(pulse, 5)),
    ] as const
    if (!taken || date + 5 > until) continue
    groups.push({
      attrib: 0,
      date,
      created: date + 5,
      modified: date + 5,
      category: 1,
      deviceid: devices.bpm.deviceid,
      hash_deviceid: devices.bpm.deviceid,
      model: devices.bpm.model,
      model_id: devices.bpm.model_id,
      measures: [
        measure(MEASURE_TYPES.diastolic, values[0], 0),
        measure(MEASURE_TYPES.systolic, values[1], 0),
        measure(MEASURE_TYPES.heartPulse, values[2], 0),
      ],
      timezone: user.timezone,
    })
  }

  return groups
    .sort((a, b) => a.date - b.date)
    .map((group, index) => ({ grpid: user.userid * 10_000 + index + 1, ...group }))
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
    // The reference types updatetime as a string ("Server time at which the answer was generated").
    updatetime: String(Math.floor(now / 1000)),
    timezone: data.user.timezone,
    measuregrps: result.items,
    // getmeas types `more` as an integer (1/0), unlike the v2 services' booleans.
    more: result.more ? 1 : 0,
    offset: result.offset,
  }
}
