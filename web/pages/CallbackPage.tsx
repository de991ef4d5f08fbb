import { useEffect, useLayoutEffect, useState } from 'react'
import { Link, useNavigate } from 'react-router-dom'
import { useAppDeps } from '../app-deps'
import { hasCallbackSecrets, parseCallbackParams } from '../auth/callback-params'
import { completeLogin, completeLoginOnce, type LoginOutcome } from '../auth/complete-login'
import { useSession } from '../auth/use-session'
import { CodeBudget } from '../ui/CodeBudget'
import { ProblemNotice } from '../ui/ProblemNotice'

/** Where Withings sends the person back: scrub the address bar, check the state, exchange once. */
export function CallbackPage() {
  const deps = useAppDeps()
  const { state: session, store } = useSession()
  const navigate = useNavigate()
  // Read once, before the address bar is scrubbed.
  const [search] = useState(() => window.location.search)
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
      const result = await completeLogin(parseCallbackParams(search), deps)
      if (result.kind === 'connected') store.connect(result.token)
      return result
    }).then((result) => live && setOutcome(result))
    return () => {
      live = false
    }
  }, [search, deps, store])

  useEffect(() => {
    if (outcome?.kind === 'connected') navigate(outcome.returnTo, { replace: true })
    // A failed callback may still leave an earlier session alive: find out, to say so.
    else if (outcome && store.getState().status === 'checking') void store.refresh()
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
      {session.status === 'connected' && (
        <p>
          You are still connected from before. <Link to={outcome.returnTo}>Go back</Link>
        </p>
      )}
    </>
  )
}
