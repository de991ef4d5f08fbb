import { useEffect, useState } from 'react'
import { Link } from 'react-router-dom'
import type { ProblemCode } from '../auth/problems'
import { explain } from '../copy/error-messages'

/**
 * A problem in one plain sentence, and always a way on: "Try again" where the same request may
 * work later and the page can repeat it (`onRetry`), "Connect again" otherwise. When Withings
 * asked to wait, the control counts the seconds down and waits with it.
 */
export function ProblemNotice({
  problem,
  retryAfter,
  onRetry,
  connectTo = '/',
}: {
  problem: ProblemCode
  retryAfter?: number | undefined
  onRetry?: (() => void) | undefined
  connectTo?: string
}) {
  const { sentence, next } = explain(problem)
  const left = useCountdown(retryAfter)
  const retry = onRetry && next !== 'connect_again'
  const label = retry ? 'Try again' : 'Connect again'
  return (
    <div className="notice notice-problem" role="alert">
      <p>
        {sentence}
        {retryAfter ? ` Please wait ${retryAfter} seconds before trying again.` : ''}
      </p>
      {next === 'contact_owner' && (
        <p>Please tell the site's owner; there is nothing to fix on your side.</p>
      )}
      {left > 0 ? (
        <button type="button" disabled>
          {label} in {left} s
        </button>
      ) : retry ? (
        <button type="button" onClick={onRetry}>
          {label}
        </button>
      ) : (
        <Link className="button" to={connectTo}>
          {label}
        </Link>
      )}
    </div>
  )
}

/** Whole seconds left of `seconds`, counted from the first render. */
function useCountdown(seconds: number | undefined): number {
  const [until] = useState(() => Date.now() + (seconds ?? 0) * 1000)
  const [left, setLeft] = useState(seconds ?? 0)
  useEffect(() => {
    if (!seconds) return
    const tick = setInterval(() => {
      const remaining = Math.max(0, Math.ceil((until - Date.now()) / 1000))
      setLeft(remaining)
      if (remaining === 0) clearInterval(tick)
    }, 250)
    return () => clearInterval(tick)
  }, [seconds, until])
  return left
}
