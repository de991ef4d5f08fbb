import { useMemo, useState } from 'react'
import { usePublicConfig, useWithings } from 'withings-link/react'
import { proxySource, storeSource } from '../data/dashboard-source'
import { BedPanel } from './BedPanel'
import { BloodPressurePanel } from './BloodPressurePanel'
import { CapabilitiesPanel } from './CapabilitiesPanel'
import { SleepPanel, StepsPanel } from './DailyPanels'
import { LiveIndicator } from './LiveIndicator'
import { SyncProgress } from './SyncProgress'
import { WeightPanel } from './WeightPanel'
import './dashboard.css'

/**
 * One panel per granted scope that has data to chart (re-read when new data is there), the bed
 * live with user.sleepevents, then the live scope table. With sync on, the charts read the app's
 * own database (no Withings call for a view) and the import's progress shows first; the scope
 * table, which asks Withings, waits to be asked for.
 */
export function Dashboard() {
  const { data, stored, scopes } = useWithings()
  const { state } = usePublicConfig()
  const sync = state.status === 'ready' && state.value.sync === true
  const source = useMemo(
    () => (sync ? storeSource(stored) : proxySource(data)),
    [sync, stored, data],
  )
  const metrics = scopes.includes('user.metrics')
  const activity = scopes.includes('user.activity')
  const sleepEvents = scopes.includes('user.sleepevents')
  if (state.status === 'loading') return null
  return (
    <>
      <LiveIndicator />
      {sync && <SyncProgress />}
      {!metrics && !activity && (
        <p className="notice">
          This connection shares neither <code>user.metrics</code> nor <code>user.activity</code>,
          so there is nothing to chart. Disconnect and connect again with one of them to see your
          measurements here.
        </p>
      )}
      <div className="panels">
        {sleepEvents && <BedPanel />}
        {metrics && <WeightPanel source={source} />}
        {metrics && <BloodPressurePanel source={source} />}
        {activity && <StepsPanel source={source} />}
        {activity && <SleepPanel source={source} />}
      </div>
      {sync ? <OnDemand granted={scopes} /> : <CapabilitiesPanel data={data} granted={scopes} />}
    </>
  )
}

/** The scope table asks Withings: with sync on, only when the person wants to know. */
function OnDemand({ granted }: { granted: Parameters<typeof CapabilitiesPanel>[0]['granted'] }) {
  const { data } = useWithings()
  const [asked, setAsked] = useState(false)
  if (asked) return <CapabilitiesPanel data={data} granted={granted} />
  return (
    <p>
      <button type="button" onClick={() => setAsked(true)}>
        Check what this connection can do
      </button>
    </p>
  )
}
