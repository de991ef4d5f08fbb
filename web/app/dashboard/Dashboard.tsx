import { useWithings } from 'withings-link/react'
import { BedPanel } from './BedPanel'
import { BloodPressurePanel } from './BloodPressurePanel'
import { CapabilitiesPanel } from './CapabilitiesPanel'
import { SleepPanel, StepsPanel } from './DailyPanels'
import { LiveIndicator } from './LiveIndicator'
import { WeightPanel } from './WeightPanel'
import './dashboard.css'

/**
 * One panel per granted scope that has data to chart (re-read when Withings notifies new data),
 * the bed live with user.sleepevents, then the live scope table.
 */
export function Dashboard() {
  const { data, scopes } = useWithings()
  const metrics = scopes.includes('user.metrics')
  const activity = scopes.includes('user.activity')
  const sleepEvents = scopes.includes('user.sleepevents')
  return (
    <>
      <LiveIndicator />
      {!metrics && !activity && (
        <p className="notice">
          This connection shares neither <code>user.metrics</code> nor <code>user.activity</code>,
          so there is nothing to chart. Disconnect and connect again with one of them to see your
          measurements here.
        </p>
      )}
      <div className="panels">
        {sleepEvents && <BedPanel />}
        {metrics && <WeightPanel data={data} />}
        {metrics && <BloodPressurePanel data={data} />}
        {activity && <StepsPanel data={data} />}
        {activity && <SleepPanel data={data} />}
      </div>
      <CapabilitiesPanel data={data} granted={scopes} />
    </>
  )
}
