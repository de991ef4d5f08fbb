import { useState } from 'react'
import { type Farewell, useWithings } from 'withings-link/react'

/** What Disconnect achieved at Withings, and a way to tell Withings again when it could not. */
export function FarewellNotice({ farewell }: { farewell: Farewell }) {
  const { retryRevoke } = useWithings()
  const [busy, setBusy] = useState(false)
  if (farewell.withingsInformed) {
    return (
      <p className="notice" role="status">
        Disconnected. Withings was told too: this app can no longer read your data.
      </p>
    )
  }
  const retry = async () => {
    setBusy(true)
    await retryRevoke().catch(() => {})
    setBusy(false)
  }
  return (
    <div className="notice notice-problem" role="alert">
      <p>
        Disconnected from this browser, but Withings could not be told just now, so your Withings
        account still lists this app.
        {farewell.canRetry
          ? ' Tell Withings again in a moment.'
          : ' Remove it from the connected apps in your Withings account settings.'}
      </p>
      {farewell.canRetry && (
        <button type="button" onClick={retry} disabled={busy} aria-busy={busy}>
          {busy ? 'Telling Withings…' : 'Tell Withings again'}
        </button>
      )}
    </div>
  )
}
