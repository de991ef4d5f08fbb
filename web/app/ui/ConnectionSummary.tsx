import { useState } from 'react'
import {
  type ProblemCode,
  ProblemNotice,
  RelayRequestError,
  type SessionView,
  usePublicConfig,
  useWithings,
} from 'withings-link/react'

/**
 * Who is connected, with which scopes, until when; and the way to disconnect. With sync on, the
 * person's rights over what the app keeps: download all of it, or disconnect and delete it.
 */
export function ConnectionSummary({ session }: { session: SessionView }) {
  const { disconnect: end, scopes, stored } = useWithings()
  const { state } = usePublicConfig()
  const sync = state.status === 'ready' && state.value.sync === true
  const [busy, setBusy] = useState<false | 'disconnect' | 'delete'>(false)
  const [problem, setProblem] = useState<ProblemCode | null>(null)
  const expires = new Date(session.expires_at * 1000)

  const disconnect = async (deleteData = false) => {
    setBusy(deleteData ? 'delete' : 'disconnect')
    setProblem(null)
    try {
      await end({ deleteData })
    } catch (error) {
      setProblem(error instanceof RelayRequestError ? error.code : 'unexpected_response')
      setBusy(false)
    }
  }

  return (
    <section className="card" aria-labelledby="connected-heading">
      <h2 id="connected-heading">Connected as Withings user {session.userid}</h2>
      <dl className="facts">
        <dt>Granted scopes</dt>
        <dd>
          {scopes.length > 0 ? (
            <ul className="scope-list">
              {scopes.map((scope) => (
                <li key={scope}>
                  <code>{scope}</code>
                </li>
              ))}
            </ul>
          ) : (
            'none'
          )}
        </dd>
        <dt>Access token expires</dt>
        <dd>
          <time dateTime={expires.toISOString()}>{expires.toLocaleString()}</time> (
          {minutesFromNow(expires)})
        </dd>
      </dl>
      <p className="actions">
        <button
          type="button"
          onClick={() => disconnect()}
          disabled={busy !== false}
          aria-busy={busy === 'disconnect'}
        >
          {busy === 'disconnect' ? 'Disconnecting…' : 'Disconnect'}
        </button>
        {sync && (
          <>
            {' '}
            <button
              type="button"
              onClick={() => disconnect(true)}
              disabled={busy !== false}
              aria-busy={busy === 'delete'}
            >
              {busy === 'delete' ? 'Deleting…' : 'Disconnect and delete my data'}
            </button>{' '}
            <a href={stored.exportUrl} download>
              Download my data (JSON)
            </a>
          </>
        )}
      </p>
      {problem && <ProblemNotice problem={problem} onRetry={() => disconnect()} />}
    </section>
  )
}

function minutesFromNow(date: Date): string {
  const minutes = Math.round((date.getTime() - Date.now()) / 60_000)
  if (minutes <= 0) return 'now; it is renewed automatically'
  if (minutes < 60) return `in ${minutes} min`
  return `in ${Math.floor(minutes / 60)} h ${minutes % 60} min`
}
