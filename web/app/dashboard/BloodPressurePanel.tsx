import { Chart } from '../charts/Chart'
import { describeSeries } from '../charts/summary'
import type { PressureSeries } from '../data/dashboard-data'
import type { DashboardSource } from '../data/dashboard-source'
import { formatDay } from '../data/format'
import { formatMeasure, SYSTOLIC } from '../data/meastypes'
import { Panel } from './Panel'

const format = (mmHg: number) => formatMeasure(SYSTOLIC, mmHg)

export function BloodPressurePanel({ source }: { source: DashboardSource }) {
  const days = source.measureDays
  return (
    <Panel
      title="Blood pressure"
      load={source.bloodPressure}
      loading="Loading your blood pressure…"
      empty={`No blood pressure measurements in the last ${days} days.`}
      isEmpty={(series: PressureSeries) => series.systolic.length + series.diastolic.length === 0}
      refreshOn={source.refreshOn('pressure')}
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
              label={`Blood pressure, last ${days} days`}
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
