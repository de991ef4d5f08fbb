import type { WithingsData } from 'withings-link/react'
import { Chart } from '../charts/Chart'
import { describeSeries } from '../charts/summary'
import { loadWeight, WEIGHT_DAYS } from '../data/dashboard-data'
import { formatDay } from '../data/format'
import { formatMeasure, WEIGHT } from '../data/meastypes'
import { noPoints, notifiedOf, Panel } from './Panel'

/** Withings' notification category for weight and body composition. */
const WEIGHINGS = notifiedOf(1)

const format = (kilograms: number) => formatMeasure(WEIGHT, kilograms)

export function WeightPanel({ data }: { data: WithingsData }) {
  return (
    <Panel
      title="Weight"
      data={data}
      load={loadWeight}
      loading="Loading your weight…"
      empty={`No weight measurements in the last ${WEIGHT_DAYS} days.`}
      isEmpty={noPoints}
      refreshOn={WEIGHINGS}
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
              label={`Weight, last ${WEIGHT_DAYS} days`}
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
