import { useCallback, useEffect, useState } from 'react'
import {
  explain,
  type LiveEvent,
  NOTIFY_FAILURE_SENTENCES,
  type Scope,
  useWithings,
  type WithingsData,
} from 'withings-link/react'
import { type Capability, checkCapabilities } from '../data/capabilities'
import { Panel } from './Panel'

/** The relay's subscriptions at Withings changed (it finished subscribing, or failed to). */
const subscriptionChanged = (event: LiveEvent) => event.type === 'subscription'
/** A pending subscription is asked about again once, in case its news was missed. */
const PENDING_RETRY_MS = 5_000

/** Withings' scope table, live: what this connection may read, asked of Withings just now. */
export function CapabilitiesPanel({
  data,
  granted,
}: {
  data: WithingsData
  granted: readonly Scope[]
}) {
  const { notifications, resubscribe } = useWithings()
  const load = useCallback(
    () => checkCapabilities(data, granted, notifications),
    [data, granted, notifications],
  )
  return (
    <Panel
      title="What this connection can do"
      load={load}
      loading="Asking Withings what this connection may read…"
      empty=""
      isEmpty={() => false}
      refreshOn={subscriptionChanged}
    >
      {(rows, reload, refresh) => (
        <>
          <p>
            For each scope this connection was granted, one of its webservices was called just now
            through the relay; for notifications, the relay says what Withings answered when it
            subscribed.
          </p>
          {rows.some((row) => row.result === 'pending') && <AskAgainLater refresh={refresh} />}
          <table className="capabilities">
            <thead>
              <tr>
                <th scope="col">Scope</th>
                <th scope="col">Webservice called</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.scope} className={`result-${row.result}`}>
                  <th scope="row">
                    <code>{row.scope}</code>
                  </th>
                  <td>{row.webservice}</td>
                  <td>
                    <Result row={row} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {rows.some((row) => row.result === 'failed') && (
            <button type="button" onClick={reload}>
              Check again
            </button>
          )}
          {rows.some((row) => row.result === 'not_subscribed') && (
            <SubscribeAgain
              subscribe={async () => {
                await resubscribe().catch(() => undefined)
                refresh()
              }}
            />
          )}
        </>
      )}
    </Panel>
  )
}

function AskAgainLater({ refresh }: { refresh: () => void }) {
  useEffect(() => {
    const timer = setTimeout(refresh, PENDING_RETRY_MS)
    return () => clearTimeout(timer)
  }, [refresh])
  return null
}

function SubscribeAgain({ subscribe }: { subscribe: () => Promise<void> }) {
  const [busy, setBusy] = useState(false)
  return (
    <button
      type="button"
      disabled={busy}
      onClick={() => {
        setBusy(true)
        void subscribe().finally(() => setBusy(false))
      }}
    >
      Subscribe again
    </button>
  )
}

function Result({ row }: { row: Capability }) {
  switch (row.result) {
    case 'allowed':
      return row.scope === 'user.sleepevents' ? (
        <>
          <strong>Allowed</strong>: subscribed to bed in, bed out and inflate done.
        </>
      ) : (
        <strong>Allowed</strong>
      )
    case 'denied':
      return row.why === 'refused' ? (
        <>
          <strong>Denied</strong>: Withings refused it; this connection does not hold the scope.
        </>
      ) : (
        <>
          <strong>Denied</strong>: this connection was not granted it.
        </>
      )
    case 'failed':
      return (
        <>
          <strong>Unknown</strong>: {explain(row.problem).sentence}
        </>
      )
    case 'pending':
      return (
        <>
          <strong>Checking</strong>: the relay is subscribing to bed-in and bed-out events at
          Withings.
        </>
      )
    case 'not_subscribed':
      return (
        <>
          <strong>Not subscribed</strong>: {NOTIFY_FAILURE_SENTENCES[row.reason]}
        </>
      )
  }
}
