import { useEffect, useLayoutEffect, useState } from 'react'
import { Link, useNavigate } from 'react-router-dom'
import { hasCallbackSecrets, parseCallbackParams } from '../auth/callback-params'
import { completeLogin, completeLoginOnce, type LoginOutcome } from '../auth/complete-login'
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
  // Read once, before the address bar is scrubbed.
  const [search] = useState(() => (typeof window === 'undefined' ? '' : window.location.search))
  const [outcome, setOutcome] = useState<LoginOutcome | null>(null)

  // First of all: code and state leave the address bar (and so history, bookmarks, screenshots).
  useLayoutEffect(() => {
    if (hasCallbackSecrets(window.location.search)) {
      window.history.replaceState(window.history.state, '', window.location.pathname)
    }
  }, [])

  useEffect(() => {
    let live = true
    completeLoginOnce(search, async () => {
      const result = await completeLogin(parseCallbackParams(search), kit)
      if (result.kind === 'connected') store.connect(result.session)
      return result
    }).then((result) => live && setOutcome(result))
    return () => {
      live = false
    }
  }, [search, kit, store])

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
