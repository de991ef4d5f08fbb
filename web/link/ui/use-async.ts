import { useCallback, useEffect, useRef, useState } from 'react'
import type { ProblemCode } from '../auth/problems'
import { asRelayError } from '../auth/relay-client'

export type AsyncState<T> =
  | { status: 'loading' }
  | { status: 'ready'; value: T }
  | { status: 'failed'; problem: ProblemCode; retryAfter?: number | undefined }

/** Runs `load` on mount and whenever it changes, with a retry; keep `load` stable. */
export function useAsync<T>(load: () => Promise<T>): { state: AsyncState<T>; retry: () => void } {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' })
  // Only the latest run may set the state; unmounting makes every run stale.
  const latest = useRef(0)

  const run = useCallback(() => {
    const attempt = ++latest.current
    setState({ status: 'loading' })
    load().then(
      (value) => {
        if (attempt === latest.current) setState({ status: 'ready', value })
      },
      (error: unknown) => {
        if (attempt !== latest.current) return
        const { code, retryAfter } = asRelayError(error)
        setState({ status: 'failed', problem: code, retryAfter })
      },
    )
  }, [load])

  useEffect(() => {
    run()
    return () => {
      latest.current++
    }
  }, [run])

  return { state, retry: run }
}
