import { useId } from 'react'
import { formatDay, formatShortDay } from '../data/format'
import type { Point } from '../data/series'

interface ChartSeries {
  name: string
  points: readonly Point[]
}

interface ChartProps {
  /** The chart's accessible name, e.g. "Weight, last 90 days". */
  label: string
  /** Lines over time, or one bar per day. */
  kind: 'line' | 'bars'
  series: readonly ChartSeries[]
  formatValue: (value: number) => string
  /** The text alternative: what the chart shows, in a sentence or two. */
  summary: string
}

const WIDTH = 540
const HEIGHT = 210
const PAD = { top: 12, right: 12, bottom: 30, left: 108 }
const DAY_MS = 86_400_000

/**
 * A hand-written SVG chart (no chart library: it would outweigh the whole dashboard). The SVG is
 * one image with a name and a description; the numbers behind it are in a table below.
 */
export function Chart({ label, kind, series, formatValue, summary }: ChartProps) {
  const id = useId()
  const points = series.flatMap((line) => line.points)
  const first = Math.min(...points.map((point) => point.time))
  const last = Math.max(...points.map((point) => point.time))
  const values = points.map((point) => point.value)
  // Bars are centred on their day, so the time axis reaches half a day past either end.
  const half = kind === 'bars' ? DAY_MS / 2 : 0
  const x = scale(first - half, last + half, PAD.left, WIDTH - PAD.right)
  const low = kind === 'bars' ? 0 : Math.min(...values)
  const high = Math.max(...values)
  const margin = kind === 'bars' ? 0 : Math.max((high - low) * 0.1, Math.abs(high) * 0.005, 0.5)
  const y = scale(low - margin, high + margin, HEIGHT - PAD.bottom, PAD.top)
  const ticks = low === high ? [low] : [low, (low + high) / 2, high]
  const barWidth = (x(first + DAY_MS) - x(first)) * 0.7

  return (
    <figure className="chart">
      {series.length > 1 && (
        <ul className="legend">
          {series.map((line, index) => (
            <li key={line.name} className={`series-${index}`}>
              {line.name}
            </li>
          ))}
        </ul>
      )}
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={label}
        aria-describedby={`${id}-summary`}
      >
        {ticks.map((tick) => (
          <g key={tick} className="tick">
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(tick)} y2={y(tick)} />
            <text x={PAD.left - 8} y={y(tick)} textAnchor="end" dominantBaseline="middle">
              {formatValue(tick)}
            </text>
          </g>
        ))}
        {[...new Set([first, last])].map((time, index) => (
          <text
            key={time}
            className="tick"
            x={x(time)}
            y={HEIGHT - 8}
            textAnchor={index === 0 ? 'start' : 'end'}
          >
            {formatShortDay(time)}
          </text>
        ))}
        {series.map((line, index) =>
          kind === 'line' ? (
            <g key={line.name} className={`series-${index}`}>
              <polyline
                points={line.points
                  .map((p) => `${round(x(p.time))},${round(y(p.value))}`)
                  .join(' ')}
              />
              {line.points.slice(-1).map((p) => (
                <circle key={p.time} cx={x(p.time)} cy={y(p.value)} r={4} />
              ))}
            </g>
          ) : (
            <g key={line.name} className={`series-${index} bars`}>
              {line.points.map((p) => (
                <rect
                  key={p.time}
                  x={round(x(p.time) - barWidth / 2)}
                  y={round(y(p.value))}
                  width={round(Math.max(barWidth, 1))}
                  height={round(y(0) - y(p.value))}
                />
              ))}
            </g>
          ),
        )}
      </svg>
      <figcaption id={`${id}-summary`}>{summary}</figcaption>
      <details>
        <summary>The values as a table</summary>
        <ValuesTable label={label} series={series} formatValue={formatValue} />
      </details>
    </figure>
  )
}

function ValuesTable({ label, series, formatValue }: Omit<ChartProps, 'kind' | 'summary'>) {
  const times = [...new Set(series.flatMap((line) => line.points.map((p) => p.time)))].sort(
    (a, b) => b - a,
  )
  const byTime = series.map((line) => new Map(line.points.map((p) => [p.time, p.value])))
  return (
    <table>
      <caption>{label}</caption>
      <thead>
        <tr>
          <th scope="col">Date</th>
          {series.map((line) => (
            <th scope="col" key={line.name}>
              {line.name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {times.map((time) => (
          <tr key={time}>
            <th scope="row">{formatDay(time)}</th>
            {byTime.map((values, index) => {
              const value = values.get(time)
              const shown = value === undefined ? '—' : formatValue(value)
              return <td key={series[index]?.name}>{shown}</td>
            })}
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** Maps [from, to] onto [start, end] linearly; a zero-width domain maps to the middle. */
function scale(from: number, to: number, start: number, end: number): (value: number) => number {
  if (to === from) return () => (start + end) / 2
  return (value) => start + ((value - from) / (to - from)) * (end - start)
}

const round = (value: number) => Math.round(value * 10) / 10
