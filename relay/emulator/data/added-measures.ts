import { MEASURE_TYPES, type MeasureGroup } from './measure'
import type { SeedData } from './seed-data'

// Data that arrives while the emulator runs: a weighing on the person's scale, appended to the
// seeded series so that getmeas returns it from then on (and a notification can announce it).

/** Appends a weighing of `kg` (default: 0.2 kg under the latest) taken at `at` (Unix seconds). */
export function addWeighing(
  seed: SeedData,
  userid: number,
  { at, kg }: { at: number; kg?: number | undefined },
): MeasureGroup {
  const data = seed.of(userid)
  const latest = seed.latestMeasure(userid, MEASURE_TYPES.weight)?.real ?? 70
  const grams = Math.round((kg ?? latest - 0.2) * 1000)
  const group: MeasureGroup = {
    grpid: Math.max(0, ...data.measuregrps.map((existing) => existing.grpid)) + 1,
    attrib: 0,
    date: at,
    created: at,
    modified: at,
    category: 1,
    deviceid: data.devices.scale.deviceid,
    hash_deviceid: data.devices.scale.hash_deviceid,
    model: data.devices.scale.model,
    modelid: data.devices.scale.model_id,
    comment: null,
    measures: [{ value: grams, type: MEASURE_TYPES.weight, unit: -3, algo: 0, fm: 1 }],
    timezone: data.user.timezone,
  }
  data.measuregrps.push(group)
  return group
}
