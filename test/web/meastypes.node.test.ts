import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { formatMeasure, MEASTYPES, realValue } from '../../web/app/data/meastypes'

describe('value × 10^unit (reference, measure_object)', () => {
  test.each([
    [65750, -3, 65.75], // measure_object example: a weight in kg
    [187, -2, 1.87], // models, Measures: "value=187. unit=-2. Height=1,87m"
    [20, -1, 2], // measure_object.unit: "value = 20 and unit = -1 => real value = 2"
    [8000, -2, 80], // models, Goals: "value=8000. unit=-2. Weight=80kg"
    [70500, -3, 70.5], // models, Goals example
    [121, 0, 121],
    [5, 2, 500],
  ])('%i with unit %i is %d', (value, unit, real) => {
    expect(realValue({ value, unit })).toBe(real)
  })

  test('is the same number as the decimal written out', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: -9, max: 5 }), (v, u) => {
        expect(realValue({ value: v, unit: u })).toBe(Number(`${v}e${u}`))
      }),
    )
  })
})

describe('the meastype table', () => {
  test.each([
    [1, 'Weight', 'kg'],
    [4, 'Height', 'm'],
    [6, 'Fat ratio', '%'],
    [9, 'Diastolic blood pressure', 'mmHg'],
    [10, 'Systolic blood pressure', 'mmHg'],
    [11, 'Heart pulse', 'bpm'],
    [54, 'SpO2', '%'],
    [71, 'Body temperature', '°C'],
  ] as const)('type %i is %s in %s', (type, name, unit) => {
    expect(MEASTYPES[type]).toMatchObject({ name, unit })
  })

  test.each([
    [1, 65.75, '65.75 kg'],
    [1, 80, '80 kg'],
    [4, 1.87, '1.87 m'],
    [6, 23.456, '23.5 %'],
    [10, 121, '121 mmHg'],
    [1, 1234.5, '1,234.5 kg'],
  ] as const)('formats type %i, %d as "%s"', (type, real, shown) => {
    expect(formatMeasure(type, real)).toBe(shown)
  })
})
