import { useEffect, useRef, useState, useSyncExternalStore } from 'react'
import type { Appli, LiveNotification } from '../../relay/contract/wire-contract'
import type { LiveEvent, LiveStatus } from './live/live-events'
import { useWithingsLink } from './provider'

/**
 * Calls `onEvent` for every live event while the person is connected (the stream opens with the
 * first component that listens and closes with the last), and returns the stream's status.
 */
export function useLiveEvents(onEvent?: (event: LiveEvent) => void): LiveStatus {
  const { live, store } = useWithingsLink()
  const connected = useSyncExternalStore(
    store.subscribe,
    () => store.getState().status === 'connected',
  )
  const latest = useRef(onEvent)
  useEffect(() => {
    latest.current = onEvent
  })
  useEffect(
    () => (connected ? live.listen((event) => latest.current?.(event)) : undefined),
    [connected, live],
  )
  return useSyncExternalStore(live.onStatus, live.getStatus)
}

/** Calls `onNotified` when Withings notifies one of these categories (a hint to re-read). */
export function useNotified(
  applis: readonly Appli[],
  onNotified: (notification: LiveNotification) => void,
): LiveStatus {
  return useLiveEvents((event) => {
    if (event.type === 'notify' && applis.includes(event.notification.appli)) {
      onNotified(event.notification)
    }
  })
}

/** What the person's Sleep Analyzer reported since the page opened (times in ms). */
export interface BedState {
  /** The last bed in or bed out. */
  bed?: { kind: 'bed_in' | 'bed_out'; at: number }
  /** When the Sleep Analyzer finished inflating (it is set up). */
  inflatedAt?: number
}

/**
 * The person's bed, as their Sleep Analyzer reports it (user.sleepevents). Withings offers no way
 * to ask for the current state, so it is what was notified while the page was open; a notification
 * older than the one shown (a retry arriving late) changes nothing.
 */
export function useBedState(): { state: BedState; status: LiveStatus } {
  const [state, setState] = useState<BedState>({})
  const status = useNotified(BED_APPLIS, (notification) => {
    if (notification.kind === 'data') return
    const at = notification.date * 1000
    const { kind } = notification
    setState((previous) => {
      if (kind === 'inflate_done') return { ...previous, inflatedAt: at }
      if (previous.bed && previous.bed.at > at) return previous
      return { ...previous, bed: { kind, at } }
    })
  })
  return { state, status }
}

const BED_APPLIS: readonly Appli[] = [50, 51, 52]
