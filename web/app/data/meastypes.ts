// Withings' measure types (reference, measure-getmeas `meastype` table) with the unit each is in
// once converted. Every measure arrives as an integer and a decimal exponent (measure_object):
// "value * 10^unit = real value", e.g. {value: 65750, unit: -3} is 65.75 kg.

interface MeasType {
  name: string
  unit: string
  /** Decimals worth showing. */
  digits: number
}

export const MEASTYPES = {
  1: { name: 'Weight', unit: 'kg', digits: 2 },
  4: { name: 'Height', unit: 'm', digits: 2 },
  5: { name: 'Fat-free mass', unit: 'kg', digits: 1 },
  6: { name: 'Fat ratio', unit: '%', digits: 1 },
  8: { name: 'Fat mass', unit: 'kg', digits: 1 },
  9: { name: 'Diastolic blood pressure', unit: 'mmHg', digits: 0 },
  10: { name: 'Systolic blood pressure', unit: 'mmHg', digits: 0 },
  11: { name: 'Heart pulse', unit: 'bpm', digits: 0 },
  12: { name: 'Temperature', unit: '°C', digits: 1 },
  54: { name: 'SpO2', unit: '%', digits: 0 },
  71: { name: 'Body temperature', unit: '°C', digits: 1 },
  73: { name: 'Skin temperature', unit: '°C', digits: 1 },
  76: { name: 'Muscle mass', unit: 'kg', digits: 1 },
  77: { name: 'Hydration', unit: 'kg', digits: 1 },
  88: { name: 'Bone mass', unit: 'kg', digits: 1 },
  91: { name: 'Pulse wave velocity', unit: 'm/s', digits: 1 },
  123: { name: 'VO2 max', unit: 'ml/min/kg', digits: 1 },
  155: { name: 'Vascular age', unit: 'years', digits: 0 },
} as const satisfies Record<number, MeasType>

export type MeasTypeCode = keyof typeof MEASTYPES

/** The codes the dashboard reads, by name. */
export const WEIGHT = 1
export const DIASTOLIC = 9
export const SYSTOLIC = 10

/**
 * value × 10^unit. Dividing by an exact power of ten (rather than multiplying by 10^-n, which is
 * not exact in binary) gives the same number as writing the decimal out: 65750, -3 → 65.75.
 */
export function realValue({ value, unit }: { value: number; unit: number }): number {
  return unit < 0 ? value / 10 ** -unit : value * 10 ** unit
}

const formats = new Map<number, Intl.NumberFormat>()

/** A converted value with its unit, as the page shows it: "65.75 kg", "1.87 m", "121 mmHg". */
export function formatMeasure(type: MeasTypeCode, real: number): string {
  const { unit, digits } = MEASTYPES[type]
  let format = formats.get(digits)
  if (!format) {
    format = new Intl.NumberFormat('en', { maximumFractionDigits: digits })
    formats.set(digits, format)
  }
  return `${format.format(real)} ${unit}`
}
