import { Chart } from '../charts/Chart'
import { describeSeries } from '../charts/summary'
import type { DashboardSource } from '../data/dashboard-source'
import { formatDay } from '../data/format'
import { formatMeasure, WEIGHT } from '../data/meastypes'
import { noPoints, Panel } from './Panel'

const format = (kilograms: number) => formatMeasure(WEIGHT, kilograms)

export function WeightPanel({ source }: { source: DashboardSource }) {
  const days = source.measureDays
  return (
    <Panel
      title="Weight"
      load={source.weight}
      loading="Loading your weight…"
      empty={`No weight measurements in the last ${days} days.`}
      isEmpty={noPoints}
      refreshOn={source.refreshOn('weight')}
    >
      {(points) => {
        const latest = points[points.length - 1]
        return (
          <>
            {latest && (
              <p className="latest">
                Latest: <strong>{format(latest.value)}</strong> on {formatDay(latest.time)}
              </p>
            )}
            <Chart
              label={`Weight, last ${days} days`}
              kind="line"
              series={[{ name: 'Weight', points }]}
              formatValue={format}
              summary={describeSeries(points, format, 'weighings')}
            />
          </>
        )
      }}
    </Panel>
  )
}
