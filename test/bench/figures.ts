// One measured figure beside its reference, as the report prints it.

export type Unit = 'ms' | 'µs' | 'req/s' | 'kB' | 'MB' | 'calls'

export interface Figure {
  /** The item number and a letter, e.g. `1a`. */
  id: string
  name: string
  unit: Unit
  value: number
  reference?: { name: string; value: number }
  /** value / reference */
  ratio?: number
  /** value − reference, in `differenceUnit` (the figure's unit when omitted). */
  difference?: number
  differenceUnit?: Unit
  target: string
  met: boolean
  /** How it was measured, in a few words: samples, medians, conditions. */
  method: string
}

const DIGITS: Record<Unit, number> = { ms: 2, µs: 0, 'req/s': 0, kB: 2, MB: 1, calls: 2 }

export function format(value: number, unit: Unit, { signed = false } = {}): string {
  const text = value.toLocaleString('en-US', {
    minimumFractionDigits: DIGITS[unit],
    maximumFractionDigits: DIGITS[unit],
  })
  return `${signed && value >= 0 ? '+' : ''}${text} ${unit}`
}

/**
 * A figure with its reference's ratio and difference filled in: the difference optionally in a
 * finer unit (`factor` per figure unit), the ratio left out where it means nothing (growths).
 */
export function compared(
  figure: Omit<Figure, 'ratio' | 'difference' | 'reference'> & {
    reference: { name: string; value: number }
  },
  options: { difference?: { unit: Unit; factor: number }; ratio?: boolean } = {},
): Figure {
  const { difference = { unit: figure.unit, factor: 1 }, ratio = true } = options
  return {
    ...figure,
    ...(ratio && { ratio: figure.value / figure.reference.value }),
    difference: (figure.value - figure.reference.value) * difference.factor,
    differenceUnit: difference.unit,
  }
}
