import { useEffect, useLayoutEffect, useState } from 'react'
import { Link, useNavigate } from 'react-router-dom'
import type { LoginOutcome } from '../auth/complete-login'
import { useWithingsLink } from '../provider'
import { useWithings } from '../use-withings'
import { CodeBudget } from './CodeBudget'
import { ProblemNotice } from './ProblemNotice'

type Failed = Extract<LoginOutcome, { kind: 'failed' }>

/**
 * The element of the route Withings sends the person back to (the redirect URI's path): scrubs
 * the address bar, checks the state, exchanges the code once, then goes back where the person
 * started. A code works once and lives 30 seconds, so whatever went wrong, the way on is
 * "Connect again" — after the wait, when Withings asked for one.
 */
export function WithingsCallback() {
  const kit = useWithingsLink()
  const { store } = kit
  const { status } = useWithings()
  const navigate = useNavigate()
  const [outcome, setOutcome] = useState<Failed | null>(null)

  // At the first commit (or earlier, when the app began it before rendering): code and state
  // leave the address bar, then the code is exchanged, once however often React mounts this.
  // Connected, the person goes straight back where they started, whose page shows the session
  // the exchange answered with; this page does not render again first.
  useLayoutEffect(() => {
    let live = true
    kit.completeCallback().then((result) => {
      if (!live) return
      if (result.kind === 'connected') navigate(result.returnTo, { replace: true })
      else setOutcome(result)
    })
    return () => {
      live = false
    }
  }, [kit, navigate])

  // A failed callback may still leave an earlier session alive: find out, to say so.
  useEffect(() => {
    if (outcome) void store.restore()
  }, [outcome, store])

  if (!outcome) {
    return (
      <>
        <h1>Finishing your Withings connection</h1>
        <p role="status">Exchanging Withings' one-time code…</p>
        <CodeBudget />
      </>
    )
  }
  return (
    <>
      <h1>{outcome.problem === 'access_denied' ? 'Access declined' : 'Could not connect'}</h1>
      <ProblemNotice
        problem={outcome.problem}
        retryAfter={outcome.retryAfter}
        connectTo={outcome.returnTo}
      />
      {status === 'connected' && (
        <p>
          You are still connected from before. <Link to={outcome.returnTo}>Go back</Link>
        </p>
      )}
    </>
  )
}
