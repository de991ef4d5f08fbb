import { useEffect, useState } from 'react'
import { CODE_LIFETIME_SECONDS } from '../../../relay/contract/wire-contract'

/**
 * Progress against Withings' 30-second code budget. The code was issued just before the browser
 * came back to this page, so the page's own navigation start is the clock's zero.
 */
export function CodeBudget() {
  const [elapsed, setElapsed] = useState(() => performance.now() / 1000)
  useEffect(() => {
    const interval = setInterval(() => setElapsed(performance.now() / 1000), 100)
    return () => clearInterval(interval)
  }, [])
  const shown = Math.min(elapsed, CODE_LIFETIME_SECONDS)
  return (
    <div className="budget">
      <label htmlFor="code-budget">
        Time used of Withings' {CODE_LIFETIME_SECONDS}-second code
      </label>
      <progress id="code-budget" max={CODE_LIFETIME_SECONDS} value={shown} />
      <p className="budget-figure">
        {shown.toFixed(1)} s of {CODE_LIFETIME_SECONDS} s
      </p>
    </div>
  )
}
