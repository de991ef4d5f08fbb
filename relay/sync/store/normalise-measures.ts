import {
  attributionName,
  decodedValue,
  measureType,
  OWN_ATTRIBUTIONS,
} from '../../contract/measure-catalogue'
import type { MeasureTable } from '../db/schema'
import {
  type Fields,
  integerOrNull,
  isRecord,
  readEach,
  textOrNull,
  timeOrNull,
} from './field-readers'

// Measure - Getmeas' groups as rows, one per value (reference: measuregrp_object, measure_object):
// the value decoded (value × 10^unit: 72350, -3 is 72.35 kg), the type's name and unit from the
// catalogue (null for a type it does not list, whose raw id is kept), the group's attribution by
// name (a guest's measure, attrib 1, is stored and marked `is_own: false`), device and model. A
// group may repeat a type (a Body Scan sends fat mass twice at the whole-body position, and
// muscle mass once per body part): `seq` numbers each type's values in the order Withings lists
// them, so every value has a key of Withings' own ids.

export type MeasureRow = MeasureTable

export interface MeasureGroupRows {
  grpid: number
  modified: Date | null
  rows: MeasureRow[]
}

export function normaliseMeasureGroups(
  userid: number,
  groups: readonly unknown[],
): { rows: MeasureGroupRows[]; skipped: number } {
  return readEach(groups, (group) => groupRows(userid, group))
}

function groupRows(userid: number, group: Fields): MeasureGroupRows | undefined {
  const grpid = integerOrNull(group.grpid)
  const attrib = integerOrNull(group.attrib)
  const measuredAt = timeOrNull(group.date)
  const category = integerOrNull(group.category) ?? 1
  if (grpid === null || attrib === null || measuredAt === null || !Array.isArray(group.measures)) {
    return undefined
  }
  const modified = timeOrNull(group.modified)
  const seen = new Map<number, number>()
  const rows: MeasureRow[] = []
  for (const measure of group.measures) {
    if (!isRecord(measure)) continue
    const type = integerOrNull(measure.type)
    const value = integerOrNull(measure.value)
    const unit = integerOrNull(measure.unit)
    if (type === null || value === null || unit === null) continue
    const seq = seen.get(type) ?? 0
    seen.set(type, seq + 1)
    const known = measureType(type)
    rows.push({
      grpid,
      type,
      seq,
      userid,
      type_name: known?.name ?? null,
      unit: known?.unit ?? null,
      value: decodedValue(value, unit),
      raw_value: value,
      raw_unit: unit,
      position: integerOrNull(measure.position),
      measured_at: measuredAt,
      attrib,
      attribution: attributionName(attrib),
      is_own: OWN_ATTRIBUTIONS.has(attrib),
      category,
      deviceid: textOrNull(group.deviceid),
      hash_deviceid: textOrNull(group.hash_deviceid),
      model: textOrNull(group.model),
      // Real answers say `modelid`; the reference says `model_id`.
      modelid: integerOrNull(group.modelid ?? group.model_id),
      timezone: textOrNull(group.timezone),
      comment: textOrNull(group.comment),
      created_at: timeOrNull(group.created),
      modified_at: modified,
    })
  }
  return { grpid, modified, rows }
}
