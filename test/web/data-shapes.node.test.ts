import { describe, expect, test, vi } from 'vitest'
import { DIASTOLIC, WEIGHT } from '../../web/app/data/meastypes'
import { dailyPoints, localDay, measurePoints } from '../../web/app/data/series'
import { createWithingsData, MAX_PAGES } from '../../web/react/auth/withings-data'
import { fakeRelay } from '../support/fake-relay'

describe("Withings' answers as chart points", () => {
  test('measure groups: one type, converted, oldest first; malformed groups skipped', () => {
    const groups = [
      { attrib: 0, date: 300, measures: [{ type: WEIGHT, value: 65750, unit: -3 }] },
      { attrib: 0, date: 100, measures: [{ type: WEIGHT, value: 66400, unit: -3 }] },
      { attrib: 0, date: 200, measures: [{ type: DIASTOLIC, value: 80, unit: 0 }] },
      { attrib: 0, date: 'yesterday', measures: [{ type: WEIGHT, value: 1, unit: 0 }] },
      { attrib: 0, date: 400, measures: [{ type: WEIGHT, value: '70', unit: 0 }] },
      { date: 450, measures: [{ type: WEIGHT, value: 70, unit: 0 }] },
      { attrib: 0, date: 500 },
      null,
      'group',
    ]
    expect(measurePoints(groups, WEIGHT)).toEqual([
      { time: 100_000, value: 66.4 },
      { time: 300_000, value: 65.75 },
    ])
  })

  test('days: one field of each day, by local day; malformed days and -1 skipped', () => {
    const days = [
      { date: '2025-06-02', steps: 7200 },
      { date: '2025-06-01', steps: 9000 },
      { date: '06/03/2025', steps: 1 },
      { date: '2025-06-04', steps: -1 },
      { date: '2025-06-05', data: { steps: 1 } },
    ]
    expect(dailyPoints(days, 'steps')).toEqual([
      { time: localDay('2025-06-01'), value: 9000 },
      { time: new Date(2025, 5, 2).getTime(), value: 7200 },
    ])
  })
})

describe('paging is bounded', () => {
  const onSessionEnded = () => {}

  test('stops after MAX_PAGES even when Withings keeps saying there is more', async () => {
    const relay = fakeRelay({
      withings: async (_service, body) => ({
        status: 0,
        body: { series: [body.offset ?? 0], more: true, offset: Number(body.offset ?? 0) + 1 },
      }),
    })
    const items = await createWithingsData({ relay, onSessionEnded }).all(
      'v2/heart',
      'list',
      {},
      'series',
    )
    expect(items).toHaveLength(MAX_PAGES)
    expect(relay.withings).toHaveBeenCalledTimes(MAX_PAGES)
  })

  test('stops when the offset does not move forward', async () => {
    const withings = vi.fn(async () => ({ status: 0, body: { series: [1], more: 1, offset: 0 } }))
    const relay = fakeRelay({ withings })
    const items = await createWithingsData({ relay, onSessionEnded }).all(
      'v2/heart',
      'list',
      {},
      'series',
    )
    expect(items).toEqual([1])
    expect(withings).toHaveBeenCalledOnce()
  })
})
