import { type FormEvent, useState } from 'react'
import type { PublicConfig, Scope } from '../../../relay/contract/wire-contract'
import type { ProblemCode } from '../auth/problems'
import { randomState } from '../auth/random-state'
import { asRelayError } from '../auth/relay-client'
import { DEFAULT_SCOPES, SCOPE_TABLE } from '../copy/scope-table'
import { authorizeUrlFor, useWithingsLink } from '../provider'
import { ConfigGate } from './ConfigGate'
import { ProblemNotice } from './ProblemNotice'

export interface ConnectWithingsProps {
  /** Where the person comes back to after Withings; the current path by default. */
  returnTo?: string
  /** The scopes ticked at first. */
  defaultScopes?: readonly Scope[]
  /** Show the exact authorize URL the button opens (for developers). */
  preview?: boolean
}

/**
 * "Connect Withings": the scopes to share (with what each allows), the demo-user switch, and
 * the button, labelled and keyboard-usable; it binds a fresh state and opens Withings.
 */
export function ConnectWithings(props: ConnectWithingsProps) {
  return <ConfigGate>{(config) => <ConnectForm config={config} {...props} />}</ConfigGate>
}

type Phase = { name: 'idle' } | { name: 'starting' } | { name: 'failed'; problem: ProblemCode }

function ConnectForm({
  config,
  returnTo,
  defaultScopes = DEFAULT_SCOPES,
  preview = false,
}: ConnectWithingsProps & { config: PublicConfig }) {
  const link = useWithingsLink()
  const [scopes, setScopes] = useState<ReadonlySet<Scope>>(() => new Set(defaultScopes))
  const [demo, setDemo] = useState(false)
  // Made ahead of the click so the preview shows the exact URL the button will open.
  const [state, setState] = useState(randomState)
  const [phase, setPhase] = useState<Phase>({ name: 'idle' })

  const chosen = SCOPE_TABLE.map((row) => row.scope).filter((scope) => scopes.has(scope))
  const url = authorizeUrlFor(config, { scopes: chosen, demo, state })

  const toggle = (scope: Scope) =>
    setScopes((current) => {
      const next = new Set(current)
      if (next.has(scope)) next.delete(scope)
      else next.add(scope)
      return next
    })

  const connect = async (event: FormEvent) => {
    event.preventDefault()
    if (chosen.length === 0 || phase.name === 'starting') return
    setPhase({ name: 'starting' })
    try {
      await link.connect({
        scopes: chosen,
        demo,
        state,
        ...(returnTo !== undefined && { returnTo }),
      })
    } catch (error) {
      setPhase({ name: 'failed', problem: asRelayError(error).code })
      setState(randomState())
    }
  }

  const starting = phase.name === 'starting'
  return (
    <form className="card" onSubmit={connect} aria-labelledby="connect-heading">
      <h2 id="connect-heading">Connect your Withings account</h2>
      <fieldset>
        <legend>Data this app may read</legend>
        {SCOPE_TABLE.map((row) => (
          <div className="scope" key={row.scope}>
            <input
              type="checkbox"
              id={`scope-${row.scope}`}
              checked={scopes.has(row.scope)}
              onChange={() => toggle(row.scope)}
              aria-describedby={`scope-${row.scope}-about`}
            />
            <label htmlFor={`scope-${row.scope}`}>{row.scope}</label>
            <div className="scope-about" id={`scope-${row.scope}-about`}>
              <p>{row.allows}</p>
              {row.needsContract && (
                <p className="warning">
                  Needs a Withings SDK contract: without one, Withings refuses this scope.
                </p>
              )}
              <p className="webservices">Webservices: {row.webservices.join(', ')}</p>
            </div>
          </div>
        ))}
      </fieldset>
      {chosen.length === 0 && <p className="hint">Choose at least one kind of data to connect.</p>}

      <div className="switch">
        <input
          type="checkbox"
          role="switch"
          aria-checked={demo}
          id="demo-user"
          checked={demo}
          onChange={(event) => setDemo(event.target.checked)}
          aria-describedby="demo-user-about"
        />
        <label htmlFor="demo-user">Use the Withings demo user</label>
        <p id="demo-user-about" className="scope-about">
          Signs in as Withings' demo account (<code>mode=demo</code>) instead of your own.
        </p>
      </div>

      {preview && (
        <>
          <label htmlFor="authorize-url">Authorize URL preview</label>
          <output id="authorize-url" className="url-preview">
            {url}
          </output>
        </>
      )}

      <button type="submit" disabled={chosen.length === 0 || starting} aria-busy={starting}>
        {starting ? 'Opening Withings…' : 'Connect Withings'}
      </button>
      {starting && (
        <p role="status" className="hint">
          Opening Withings' sign-in page…
        </p>
      )}
      {phase.name === 'failed' && (
        <ProblemNotice problem={phase.problem} onRetry={() => setPhase({ name: 'idle' })} />
      )}
    </form>
  )
}
