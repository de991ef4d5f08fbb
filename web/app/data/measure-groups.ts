import { isFiniteNumber, isRecord } from './untrusted'

// Which of Getmeas' measure groups are the person's, and which measure in a group is the value
// of a type (reference: measuregrp_object, measure_object).

/**
 * The attributions of the person's own measures (reference, measuregrp_object.attrib): 0 a
 * device, known to be theirs; 2 entered by hand; 4 entered when the account was made; 5 the
 * best of a blood pressure monitor's series; 7 confirmed by the person; 8 "same as 0"; 15 taken
 * in guided conditions. Never 1: "captured by a device but may belong to other users" is a
 * guest on a shared scale until the person claims it in the app (home-assistant/core's
 * get_meas.json fixture has one, newer than the owner's last weighing). Values the reference
 * does not document (3, 10, 17, 10009… in joostlek/python-withings issues 508 and 883) are left
 * out as aiowithings' aggregate_measurements leaves them out: 10 repeats a whole-body measure of
 * an attrib-8 group at one foot (python-withings pull request 857).
 */
const OWN_ATTRIBUTIONS: ReadonlySet<number> = new Set([0, 2, 4, 5, 7, 8, 15])

export const isOwnGroup = (group: Record<string, unknown>): boolean =>
  isFiniteNumber(group.attrib) && OWN_ATTRIBUTIONS.has(group.attrib)

export interface Measure {
  type: number
  value: number
  unit: number
  /** Where on the body; undefined when the measure has none (or `null`). */
  position: number | undefined
}

function parseMeasure(item: unknown): Measure | undefined {
  if (!isRecord(item)) return undefined
  const { type, value, unit, position } = item
  if (!isFiniteNumber(type) || !isFiniteNumber(value) || !isFiniteNumber(unit)) return undefined
  return { type, value, unit, position: isFiniteNumber(position) ? position : undefined }
}

/** aiowithings' MeasurementPosition.WHOLE_BODY; the reference's position table skips 7. */
const WHOLE_BODY = 7

/**
 * The one measure of `type` in a group. Groups may repeat a type with a `position`: a Body Scan
 * sends fat-free mass twice at position 7 (whole body), and its segmental masses once per body
 * part (aiowithings' measurement_positions.json). So: the measure without a position, else the
 * whole-body one (the first, when repeated); else, when the type was measured at a single place
 * (a cuff on one arm), that one. A type split over several body parts has no single value: it
 * is left out rather than one part picked or the parts summed.
 */
export function measureOfType(items: readonly unknown[], type: number): Measure | undefined {
  const measures = items.map(parseMeasure).filter((m): m is Measure => m?.type === type)
  const whole = measures.find((m) => m.position === undefined || m.position === WHOLE_BODY)
  if (whole) return whole
  return new Set(measures.map((m) => m.position)).size === 1 ? measures[0] : undefined
}
