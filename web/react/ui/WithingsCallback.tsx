import { useEffect, useLayoutEffect, useState } from 'react'
import { Link, useNavigate } from 'react-router-dom'
import type { LoginOutcome } from '../auth/complete-login'
import { useWithingsLink } from '../provider'
import { useWithings } from '../use-withings'
import { CodeBudget } from './CodeBudget'
import { ProblemNotice } from './ProblemNotice'

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
  const [outcome, setOutcome] = useState<LoginOutcome | null>(null)

  // At the first commit (or earlier, when the app began it before rendering): code and state
  // leave the address bar, then the code is exchanged, once however often React mounts this.
  useLayoutEffect(() => {
    let live = true
    kit.completeCallback().then((result) => live && setOutcome(result))
    return () => {
      live = false
    }
  }, [kit])

  useEffect(() => {
    if (outcome?.kind === 'connected') navigate(outcome.returnTo, { replace: true })
    // A failed callback may still leave an earlier session alive: find out, to say so.
    else if (outcome) void store.restore()
  }, [outcome, navigate, store])

  if (!outcome || outcome.kind === 'connected') {
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
