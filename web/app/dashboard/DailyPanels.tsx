import type { ReactNode } from 'react'
import { Chart } from '../charts/Chart'
import { describeSeries } from '../charts/summary'
import { ACTIVITY_DAYS } from '../data/dashboard-data'
import type { DashboardSource } from '../data/dashboard-source'
import { formatDay, formatDuration, formatSteps } from '../data/format'
import type { Point } from '../data/series'
import { noPoints, Panel } from './Panel'

/** A number per day over the last days, as bars. */
function DailyPanel(props: {
  title: string
  load: () => Promise<Point[]>
  what: string
  format: (value: number) => string
  headline: (points: Point[]) => ReactNode
  /** Re-read on news of new days. */
  refreshOn: ReturnType<DashboardSource['refreshOn']>
}) {
  const { title, load, what, format, headline, refreshOn } = props
  return (
    <Panel
      title={title}
      load={load}
      loading={`Loading your ${what}…`}
      empty={`No ${what} in the last ${ACTIVITY_DAYS} days.`}
      isEmpty={noPoints}
      refreshOn={refreshOn}
    >
      {(points) => (
        <>
          <p className="latest">{headline(points)}</p>
          <Chart
            label={`${title}, last ${ACTIVITY_DAYS} days`}
            kind="bars"
            series={[{ name: title, points }]}
            formatValue={format}
            summary={describeSeries(points, format, 'days')}
          />
        </>
      )}
    </Panel>
  )
}

const average = (points: Point[]) =>
  points.reduce((sum, point) => sum + point.value, 0) / Math.max(points.length, 1)

export function StepsPanel({ source }: { source: DashboardSource }) {
  return (
    <DailyPanel
      title="Steps per day"
      load={source.steps}
      what="steps"
      refreshOn={source.refreshOn('activity')}
      format={formatSteps}
      headline={(points) => (
        <>
          Average: <strong>{formatSteps(average(points))}</strong> a day
        </>
      )}
    />
  )
}

export function SleepPanel({ source }: { source: DashboardSource }) {
  return (
    <DailyPanel
      title="Sleep per night"
      load={source.sleep}
      what="sleep"
      refreshOn={source.refreshOn('sleep')}
      format={formatDuration}
      headline={(points) => {
        const last = points[points.length - 1]
        return (
          last && (
            <>
              Night to {formatDay(last.time)}: <strong>{formatDuration(last.value)}</strong> asleep
            </>
          )
        )
      }}
    />
  )
}
