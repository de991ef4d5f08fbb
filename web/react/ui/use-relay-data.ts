import { useCallback, useEffect, useRef, useState } from 'react'
import type { ProblemCode } from '../auth/problems'
import { asRelayError } from '../auth/relay-client'

/** What a load through the relay is at: the states ProblemNotice and a panel show. */
export type RelayDataState<T> =
  | { status: 'loading' }
  /** `updatedAt` (ms) once a quiet refresh replaced the first value. */
  | { status: 'ready'; value: T; updatedAt?: number }
  | { status: 'failed'; problem: ProblemCode; retryAfter?: number | undefined }

/**
 * Loads through the relay (Withings' data with `useWithings().data`, the notification status):
 * runs `load` on mount and whenever it changes, with a retry, and a quiet refresh that keeps the
 * value shown until the new one is there (for new data Withings notified); keep `load` stable. A
 * failure is a ProblemCode for ProblemNotice.
 */
export function useRelayData<T>(load: () => Promise<T>): {
  state: RelayDataState<T>
  retry: () => void
  refresh: () => void
} {
  const [state, setState] = useState<RelayDataState<T>>({ status: 'loading' })
  // Only the latest run may set the state; unmounting makes every run stale.
  const latest = useRef(0)

  const run = useCallback(
    (quiet = false) => {
      const attempt = ++latest.current
      if (!quiet) setState({ status: 'loading' })
      load().then(
        (value) => {
          if (attempt !== latest.current) return
          setState(
            quiet ? { status: 'ready', value, updatedAt: Date.now() } : { status: 'ready', value },
          )
        },
        (error: unknown) => {
          if (attempt !== latest.current) return
          const { code, retryAfter } = asRelayError(error)
          setState({ status: 'failed', problem: code, retryAfter })
        },
      )
    },
    [load],
  )

  useEffect(() => {
    run()
    return () => {
      latest.current++
    }
  }, [run])

  return {
    state,
    retry: useCallback(() => run(), [run]),
    refresh: useCallback(() => run(true), [run]),
  }
}
