import { useCallback, useEffect, useRef, useState } from 'react'
import type { PublicConfig } from '../../relay/contract'
import { useAppDeps } from '../app-deps'
import type { ProblemCode } from '../auth/error-messages'
import { RelayRequestError } from '../auth/relay-client'

export type ConfigState =
  | { status: 'loading' }
  | { status: 'ready'; config: PublicConfig }
  | { status: 'failed'; problem: ProblemCode }

/** The relay's public settings (client id, redirect URI, authorize URL), with a retry. */
export function usePublicConfig(): { state: ConfigState; retry: () => void } {
  const { relay } = useAppDeps()
  const [state, setState] = useState<ConfigState>({ status: 'loading' })
  // Only the latest request may set the state; unmounting makes every request stale.
  const latest = useRef(0)

  const load = useCallback(() => {
    const request = ++latest.current
    setState({ status: 'loading' })
    relay.config().then(
      (config) => {
        if (request === latest.current) setState({ status: 'ready', config })
      },
      (error: unknown) => {
        if (request !== latest.current) return
        const problem = error instanceof RelayRequestError ? error.code : 'unexpected_response'
        setState({ status: 'failed', problem })
      },
    )
  }, [relay])

  useEffect(() => {
    load()
    return () => {
      latest.current++
    }
  }, [load])

  return { state, retry: load }
}
