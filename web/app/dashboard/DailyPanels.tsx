import type { ReactNode } from 'react'
import type { DataAppli, WithingsData } from 'withings-link/react'
import { Chart } from '../charts/Chart'
import { describeSeries } from '../charts/summary'
import { ACTIVITY_DAYS, loadSleep, loadSteps } from '../data/dashboard-data'
import { formatDay, formatDuration, formatSteps } from '../data/format'
import type { Point } from '../data/series'
import { noPoints, notifiedOf, Panel } from './Panel'

/** A number per day over the last days, as bars. */
function DailyPanel(props: {
  title: string
  data: WithingsData
  load: (data: WithingsData) => Promise<Point[]>
  what: string
  format: (value: number) => string
  headline: (points: Point[]) => ReactNode
  /** The notification category of new days (activity 16, sleep 44). */
  category: DataAppli
}) {
  const { title, data, load, what, format, headline, category } = props
  return (
    <Panel
      title={title}
      data={data}
      load={load}
      loading={`Loading your ${what}…`}
      empty={`No ${what} in the last ${ACTIVITY_DAYS} days.`}
      isEmpty={noPoints}
      refreshOn={notifiedOf(category)}
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

export function StepsPanel({ data }: { data: WithingsData }) {
  return (
    <DailyPanel
      title="Steps per day"
      data={data}
      load={loadSteps}
      what="steps"
      category={16}
      format={formatSteps}
      headline={(points) => (
        <>
          Average: <strong>{formatSteps(average(points))}</strong> a day
        </>
      )}
    />
  )
}

export function SleepPanel({ data }: { data: WithingsData }) {
  return (
    <DailyPanel
      title="Sleep per night"
      data={data}
      load={loadSleep}
      what="sleep"
      category={44}
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
