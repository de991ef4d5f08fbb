import { useLiveEvents } from 'withings-link/react'

/**
 * A quiet word while live updates are away (the relay restarting, the network gone), and none
 * while they flow. The region is always there, so that screen readers announce the change.
 */
export function LiveIndicator() {
  const status = useLiveEvents()
  return (
    <p role="status" aria-label="Live updates" className="hint live-note">
      {status === 'reconnecting' ? 'Live updates paused: reconnecting…' : ''}
    </p>
  )
}
