import { Link } from 'react-router-dom'
import type { ProblemCode } from '../auth/problems'
import { explain } from '../copy/error-messages'

/** A problem in one plain sentence, with the next step as a link or button. */
export function ProblemNotice({
  problem,
  retryAfter,
  onRetry,
  connectTo = '/',
}: {
  problem: ProblemCode
  retryAfter?: number | undefined
  onRetry?: () => void
  connectTo?: string
}) {
  const { sentence, next } = explain(problem)
  const wait = retryAfter ? ` Please wait ${retryAfter} seconds before trying again.` : ''
  return (
    <div className="notice notice-problem" role="alert">
      <p>
        {sentence}
        {wait}
      </p>
      {next === 'connect_again' && (
        <Link className="button" to={connectTo}>
          Connect again
        </Link>
      )}
      {(next === 'try_again' || next === 'wait') && onRetry && (
        <button type="button" onClick={onRetry}>
          Try again
        </button>
      )}
      {next === 'contact_owner' && (
        <p>Please tell the site's owner; there is nothing to fix on your side.</p>
      )}
    </div>
  )
}
