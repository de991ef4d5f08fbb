import { useLocation } from 'react-router-dom'
import { ConnectionSummary } from '../ui/ConnectionSummary'
import { SessionGate } from '../ui/SessionGate'

/** Home: the connection when there is one, the Connect form when there is not. */
export function ConnectPage() {
  const location = useLocation()
  return (
    <>
      <h1>Withings connection</h1>
      <SessionGate returnTo={location.pathname + location.search}>
        {(session) => <ConnectionSummary session={session} />}
      </SessionGate>
    </>
  )
}
