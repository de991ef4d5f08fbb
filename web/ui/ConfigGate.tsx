import type { ReactNode } from 'react'
import type { PublicConfig } from '../../relay/contract'
import { usePublicConfig } from '../config/use-public-config'
import { ProblemNotice } from './ProblemNotice'

/** Renders its children once the relay's public configuration has loaded. */
export function ConfigGate({ children }: { children: (config: PublicConfig) => ReactNode }) {
  const { state, retry } = usePublicConfig()
  if (state.status === 'loading') return <p role="status">Loading the app's settings…</p>
  if (state.status === 'failed') return <ProblemNotice problem={state.problem} onRetry={retry} />
  return (
    <>
      {state.value.emulator && (
        <p className="notice">
          Running against the built-in Withings emulator: no real account or data is involved.
        </p>
      )}
      {children(state.value)}
    </>
  )
}
