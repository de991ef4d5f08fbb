import { type ReactNode, useEffect, useId, useState } from 'react'
import type { LiveEvent } from 'withings-link/react'
import { ProblemNotice, useLiveEvents, useRelayData } from 'withings-link/react'
import { formatMoment } from '../data/format'

/**
 * One dashboard card: loads its data, and says so while it does; shows a problem with a retry,
 * a sentence when there is nothing to show, or its content. On the live events it is told to
 * (`refreshOn`: Withings notified new data of its kind), it reads its data again, keeping what it
 * shows until then.
 */
export function Panel<T>({
  title,
  load,
  loading,
  empty,
  isEmpty,
  refreshOn,
  children,
}: {
  title: string
  /** What to fetch and shape; the same function across renders (the source's). */
  load: () => Promise<T>
  /** What the status line says while loading. */
  loading: string
  /** What the panel says when the answer holds nothing to show. */
  empty: string
  isEmpty: (value: T) => boolean
  /** The live events after which this panel reads its data again (new data of its kind). */
  refreshOn?: (event: LiveEvent) => boolean
  /** `reload` shows the loading state again; `refresh` keeps the content until the new one. */
  children: (value: T, reload: () => void, refresh: () => void) => ReactNode
}) {
  const id = useId()
  const { state, retry, refresh } = useRelayData(load)
  useLiveEvents((event) => {
    if (refreshOn?.(event)) refresh()
  })
  return (
    <section className="card panel" aria-labelledby={id} aria-busy={state.status === 'loading'}>
      <h2 id={id}>{title}</h2>
      {state.status === 'loading' && <p role="status">{loading}</p>}
      {state.status === 'failed' && (
        <ProblemNotice problem={state.problem} retryAfter={state.retryAfter} onRetry={retry} />
      )}
      {state.status === 'ready' &&
        (isEmpty(state.value) ? (
          <p className="hint">{empty}</p>
        ) : (
          children(state.value, retry, refresh)
        ))}
      {refreshOn && state.status === 'ready' && <Updated at={state.updatedAt} />}
    </section>
  )
}

const JUST_NOW_MS = 60_000

/** "Updated just now" after a notified re-read, then its time; announced politely. */
function Updated({ at }: { at: number | undefined }) {
  const [, tick] = useState(0)
  useEffect(() => {
    if (at === undefined) return
    const timer = setTimeout(() => tick((n) => n + 1), Math.max(0, at + JUST_NOW_MS - Date.now()))
    return () => clearTimeout(timer)
  }, [at])
  const text =
    at === undefined
      ? ''
      : Date.now() - at < JUST_NOW_MS
        ? 'Updated just now'
        : `Updated at ${formatMoment(at)}`
  return (
    <p role="status" className="hint live-note">
      {text}
    </p>
  )
}

export const noPoints = (points: readonly unknown[]) => points.length === 0
