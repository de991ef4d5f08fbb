import { useCallback } from 'react'
import { explain, type Scope, type WithingsData } from 'withings-link/react'
import { type Capability, checkCapabilities } from '../data/capabilities'
import { Panel } from './Panel'

/** Withings' scope table, live: what this connection may read, asked of Withings just now. */
export function CapabilitiesPanel({
  data,
  granted,
}: {
  data: WithingsData
  granted: readonly Scope[]
}) {
  const load = useCallback((source: WithingsData) => checkCapabilities(source, granted), [granted])
  return (
    <Panel
      title="What this connection can do"
      data={data}
      load={load}
      loading="Asking Withings what this connection may read…"
      empty=""
      isEmpty={() => false}
    >
      {(rows, reload) => (
        <>
          <p>
            For each scope this connection was granted, one of its webservices was called just now
            through the relay.
          </p>
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
        </>
      )}
    </Panel>
  )
}

function Result({ row }: { row: Capability }) {
  switch (row.result) {
    case 'allowed':
      return <strong>Allowed</strong>
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
    case 'not_checked':
      return (
        <>
          <strong>Not checked</strong>: {row.reason}
        </>
      )
  }
}
