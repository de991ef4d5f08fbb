// Withings' measure types and attributions, as the reference lists them (withings-openapi.yml:
// measure-getmeas `meastype`, measuregrp_object `attrib`), with the unit each value is in once
// decoded (value × 10^unit). Shared by the sync, which stores them, and by pages, which show them.

export interface MeasureType {
  name: string
  /** The unit of the decoded value; '' for a score or a result without one. */
  unit: string
}

export const MEASURE_TYPES = {
  1: { name: 'Weight', unit: 'kg' },
  4: { name: 'Height', unit: 'm' },
  5: { name: 'Fat-free mass', unit: 'kg' },
  6: { name: 'Fat ratio', unit: '%' },
  8: { name: 'Fat mass', unit: 'kg' },
  9: { name: 'Diastolic blood pressure', unit: 'mmHg' },
  10: { name: 'Systolic blood pressure', unit: 'mmHg' },
  11: { name: 'Heart pulse', unit: 'bpm' },
  12: { name: 'Temperature', unit: '°C' },
  54: { name: 'SpO2', unit: '%' },
  71: { name: 'Body temperature', unit: '°C' },
  73: { name: 'Skin temperature', unit: '°C' },
  76: { name: 'Muscle mass', unit: 'kg' },
  77: { name: 'Hydration', unit: 'kg' },
  88: { name: 'Bone mass', unit: 'kg' },
  91: { name: 'Pulse wave velocity', unit: 'm/s' },
  123: { name: 'VO2 max', unit: 'ml/min/kg' },
  130: { name: 'Atrial fibrillation result', unit: '' },
  135: { name: 'QRS interval duration', unit: 'ms' },
  136: { name: 'PR interval duration', unit: 'ms' },
  137: { name: 'QT interval duration', unit: 'ms' },
  138: { name: 'Corrected QT interval duration', unit: 'ms' },
  139: { name: 'Atrial fibrillation result from PPG', unit: '' },
  155: { name: 'Vascular age', unit: 'years' },
  167: { name: 'Nerve health score (feet)', unit: '' },
  168: { name: 'Extracellular water', unit: 'kg' },
  169: { name: 'Intracellular water', unit: 'kg' },
  170: { name: 'Visceral fat', unit: '' },
  173: { name: 'Fat-free mass for segments', unit: 'kg' },
  174: { name: 'Fat mass for segments', unit: 'kg' },
  175: { name: 'Muscle mass for segments', unit: 'kg' },
  196: { name: 'Electrodermal activity (feet)', unit: '' },
  226: { name: 'Basal metabolic rate', unit: 'kcal' },
  227: { name: 'Metabolic age', unit: 'years' },
  229: { name: 'Electrochemical skin conductance', unit: '' },
} as const satisfies Record<number, MeasureType>

export type MeasureTypeId = keyof typeof MEASURE_TYPES

/** The catalogue's entry of a type id, or undefined for a type the reference does not list. */
export function measureType(id: number): MeasureType | undefined {
  return Object.hasOwn(MEASURE_TYPES, id) ? MEASURE_TYPES[id as MeasureTypeId] : undefined
}

/** measuregrp_object.attrib, by name. 1 is a guest's measure on a shared device until claimed. */
export const ATTRIBUTIONS = {
  0: 'device',
  1: 'ambiguous',
  2: 'manual',
  4: 'manual_at_creation',
  5: 'device_best_of_series',
  7: 'confirmed',
  8: 'device_same_as_0',
  15: 'guided',
} as const

/** Attributions whose measures are the person's own: every documented one but 1. */
export const OWN_ATTRIBUTIONS: ReadonlySet<number> = new Set([0, 2, 4, 5, 7, 8, 15])

/** The attribution's name, or `unknown:<id>` for one the reference does not document. */
export function attributionName(attrib: number): string {
  return Object.hasOwn(ATTRIBUTIONS, attrib)
    ? ATTRIBUTIONS[attrib as keyof typeof ATTRIBUTIONS]
    : `unknown:${attrib}`
}

/**
 * value × 10^unit. Dividing by an exact power of ten (rather than multiplying by 10^-n, which is
 * not exact in binary) gives the number the decimal writes: 72350, -3 → 72.35.
 */
export function decodedValue(value: number, unit: number): number {
  return unit < 0 ? value / 10 ** -unit : value * 10 ** unit
}
