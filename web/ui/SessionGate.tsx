import type { ReactNode } from 'react'
import type { TokenView } from '../../relay/contract'
import { useSession } from '../auth/use-session'
import { ConfigGate } from './ConfigGate'
import { ConnectForm } from './ConnectForm'
import { ProblemNotice } from './ProblemNotice'

/**
 * Renders its children with the access token once someone is connected; until then, the session
 * check, a passing problem with a retry, or the Connect form that brings the person back to
 * `returnTo` after Withings.
 */
export function SessionGate({
  returnTo,
  children,
}: {
  returnTo: string
  children: (token: TokenView) => ReactNode
}) {
  const { state, store } = useSession()
  switch (state.status) {
    case 'checking':
      return <p role="status">Checking your Withings connection…</p>
    case 'connected':
      return children(state.token)
    case 'unavailable':
      return (
        <ProblemNotice
          problem={state.problem}
          retryAfter={state.retryAfter}
          onRetry={() => void store.refresh()}
        />
      )
    case 'disconnected':
      return (
        <>
          {state.problem && <ProblemNotice problem={state.problem} />}
          <ConfigGate>{(config) => <ConnectForm config={config} returnTo={returnTo} />}</ConfigGate>
        </>
      )
  }
}
