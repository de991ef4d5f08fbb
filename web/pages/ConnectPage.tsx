import { useLocation } from 'react-router-dom'
import { useSession } from '../auth/use-session'
import { ConfigGate } from '../ui/ConfigGate'
import { ConnectForm } from '../ui/ConnectForm'
import { ConnectionSummary } from '../ui/ConnectionSummary'
import { ProblemNotice } from '../ui/ProblemNotice'

/** Home: the connection when there is one, the Connect form when there is not. */
export function ConnectPage() {
  const { state, store } = useSession()
  const location = useLocation()
  return (
    <>
      <h1>Withings connection</h1>
      {state.status === 'checking' && <p role="status">Checking your Withings connection…</p>}
      {state.status === 'connected' && <ConnectionSummary token={state.token} />}
      {state.status === 'unavailable' && (
        <ProblemNotice
          problem={state.problem}
          retryAfter={state.retryAfter}
          onRetry={() => void store.refresh()}
        />
      )}
      {state.status === 'disconnected' && (
        <>
          {state.problem && <ProblemNotice problem={state.problem} />}
          <ConfigGate>
            {(config) => (
              <ConnectForm config={config} returnTo={location.pathname + location.search} />
            )}
          </ConfigGate>
        </>
      )}
    </>
  )
}
