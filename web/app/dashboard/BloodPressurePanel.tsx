import type { WithingsData } from 'withings-link/react'
import { Chart } from '../charts/Chart'
import { describeSeries } from '../charts/summary'
import { loadBloodPressure, PRESSURE_DAYS, type PressureSeries } from '../data/dashboard-data'
import { formatDay } from '../data/format'
import { formatMeasure, SYSTOLIC } from '../data/meastypes'
import { notifiedOf, Panel } from './Panel'

/** Withings' notification category for blood pressure and heart rate. */
const PRESSURE_READINGS = notifiedOf(4)

const format = (mmHg: number) => formatMeasure(SYSTOLIC, mmHg)

export function BloodPressurePanel({ data }: { data: WithingsData }) {
  return (
    <Panel
      title="Blood pressure"
      data={data}
      load={loadBloodPressure}
      loading="Loading your blood pressure…"
      empty={`No blood pressure measurements in the last ${PRESSURE_DAYS} days.`}
      isEmpty={(series: PressureSeries) => series.systolic.length + series.diastolic.length === 0}
      refreshOn={PRESSURE_READINGS}
    >
      {({ systolic, diastolic }) => {
        const latest = systolic[systolic.length - 1]
        const paired = diastolic.find((point) => point.time === latest?.time)
        const summary = [
          `Systolic: ${describeSeries(systolic, format, 'readings')}`,
          `Diastolic: ${describeSeries(diastolic, format, 'readings')}`,
        ].join(' ')
        return (
          <>
            {latest && paired && (
              <p className="latest">
                Latest: <strong>{`${latest.value}/${format(paired.value)}`}</strong> on{' '}
                {formatDay(latest.time)}
              </p>
            )}
            <Chart
              label={`Blood pressure, last ${PRESSURE_DAYS} days`}
              kind="line"
              series={[
                { name: 'Systolic', points: systolic },
                { name: 'Diastolic', points: diastolic },
              ]}
              formatValue={format}
              summary={summary}
            />
          </>
        )
      }}
    </Panel>
  )
}
