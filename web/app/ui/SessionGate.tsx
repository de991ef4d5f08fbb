import type { ReactNode } from 'react'
import { ConnectWithings, ProblemNotice, type SessionView, useWithings } from 'withings-link/react'
import { FarewellNotice } from './FarewellNotice'

/**
 * Renders its children with the session once someone is connected; until then, the session
 * check, a passing problem with a retry, or the Connect form that brings the person back to
 * `returnTo` after Withings.
 */
export function SessionGate({
  returnTo,
  children,
}: {
  returnTo: string
  children: (session: SessionView) => ReactNode
}) {
  const connection = useWithings()
  switch (connection.status) {
    case 'checking':
      return <p role="status">Checking your Withings connection…</p>
    case 'connected':
      return connection.session ? children(connection.session) : null
    case 'unavailable':
      return (
        <ProblemNotice
          problem={connection.problem ?? 'unexpected_response'}
          retryAfter={connection.retryAfter}
          onRetry={connection.retry}
        />
      )
    case 'disconnected':
      return (
        <>
          {connection.farewell && <FarewellNotice farewell={connection.farewell} />}
          {connection.problem && (
            <ProblemNotice problem={connection.problem} connectTo={returnTo} />
          )}
          <ConnectWithings returnTo={returnTo} preview />
        </>
      )
  }
}
