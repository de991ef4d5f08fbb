import { formatDay } from '../data/format'
import type { Point } from '../data/series'

/**
 * The sentence a chart stands for: how many points over which days, where the series started and
 * ended, its range and its average. Points are oldest first.
 */
export function describeSeries(
  points: readonly Point[],
  format: (value: number) => string,
  noun: string,
): string {
  const first = points[0]
  const last = points[points.length - 1]
  if (!first || !last) return `No ${noun}.`
  const values = points.map((point) => point.value)
  const average = values.reduce((sum, value) => sum + value, 0) / values.length
  return (
    `${points.length} ${noun} from ${formatDay(first.time)} to ${formatDay(last.time)}: ` +
    `first ${format(first.value)}, latest ${format(last.value)}; ` +
    `lowest ${format(Math.min(...values))}, highest ${format(Math.max(...values))}, ` +
    `average ${format(average)}.`
  )
}
