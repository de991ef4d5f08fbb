import type { ReactNode } from 'react'
import type { PublicConfig } from '../../../relay/contract/wire-contract'
import { ProblemNotice } from './ProblemNotice'
import { usePublicConfig } from './use-public-config'

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
      <WrongAddressNotice redirectUri={state.value.redirect_uri} />
      {children(state.value)}
    </>
  )
}

/**
 * Withings sends the person back to the redirect URI, and the pending login lives in this tab's
 * storage for this origin only: opened at another address (127.0.0.1 instead of localhost, a
 * bare host instead of the tunnel), the login could never finish. Say so before it fails.
 */
function WrongAddressNotice({ redirectUri }: { redirectUri: string }) {
  const home = new URL(redirectUri).origin
  if (home === window.location.origin) return null
  return (
    <div className="notice notice-problem" role="alert">
      <p>
        This app is set up for <a href={`${home}/`}>{home}</a>: Withings sends you back there after
        you accept, so connecting from this address ({window.location.origin}) cannot work. Open it
        at {home} instead.
      </p>
    </div>
  )
}
