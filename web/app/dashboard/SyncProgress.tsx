import { useCallback, useEffect, useId } from 'react'
import {
  ProblemNotice,
  type SyncStatus,
  useLiveEvents,
  useRelayData,
  useWithings,
} from 'withings-link/react'
import { formatMoment } from '../data/format'

/** How often the progress is asked again while an import runs (besides each `stored` event). */
const IMPORT_POLL_MS = 2_000

const SOURCE_NAMES: Record<string, string> = {
  measures: 'Measurements',
  heart: 'Heart recordings',
  activity: 'Activity days',
  workouts: 'Workouts',
  sleep: 'Sleep periods',
  sleep_series: 'Sleep states (last days)',
  intraday: 'Activity through the day (last days)',
  devices: 'Devices',
}

/**
 * Where the person's data in the app's own database stands: the first import's progress (which
 * sources, how many records, a progress bar), then when it was last updated. New data arrives by
 * the live stream's `stored` events; while importing, the progress is also asked every two seconds.
 */
export function SyncProgress() {
  const id = useId()
  const { stored } = useWithings()
  const { state, retry, refresh } = useRelayData(useCallback(() => stored.status(), [stored]))
  useLiveEvents((event) => {
    if (event.type === 'stored') refresh()
  })
  const importing = state.status === 'ready' && state.value.state === 'importing'
  useEffect(() => {
    if (!importing) return
    const timer = setInterval(refresh, IMPORT_POLL_MS)
    return () => clearInterval(timer)
  }, [importing, refresh])

  if (state.status === 'loading') return null
  if (state.status === 'failed') {
    return <ProblemNotice problem={state.problem} retryAfter={state.retryAfter} onRetry={retry} />
  }
  const status = state.value
  if (status.state === 'needs_reauth') {
    return (
      <p className="notice" role="alert">
        Withings no longer accepts this connection, so nothing new can be imported: disconnect and
        connect again. What was imported stays here.
      </p>
    )
  }
  if (status.state === 'ready') return <Updated status={status} />
  const done = status.sources.filter(
    (source) => source.state === 'done' || source.state === 'failed',
  )
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>Importing your Withings history</h2>
      <progress
        aria-labelledby={id}
        max={status.sources.length}
        value={done.length}
        aria-valuetext={`${done.length} of ${status.sources.length} sources imported`}
      />
      <ul className="import-sources">
        {status.sources.map((source) => (
          <li key={source.source}>
            {SOURCE_NAMES[source.source] ?? source.source}: {source.records}{' '}
            {source.records === 1 ? 'record' : 'records'}
            {source.state === 'done' ? ' ✓' : source.state === 'failed' ? ' (not allowed)' : '…'}
          </li>
        ))}
      </ul>
    </section>
  )
}

function Updated({ status }: { status: SyncStatus }) {
  const at = status.updated_at
  return (
    <p role="status" className="hint live-note">
      {at === null ? 'Nothing imported yet.' : `Updated at ${formatMoment(at * 1000)}`}
    </p>
  )
}
