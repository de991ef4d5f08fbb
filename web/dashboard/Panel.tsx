import { type ReactNode, useCallback, useId } from 'react'
import type { WithingsData } from 'withings-link/react'
import { ProblemNotice, useAsync } from 'withings-link/react'

/**
 * One dashboard card: loads its data, and says so while it does; shows a problem with a retry,
 * a sentence when there is nothing to show, or its content.
 */
export function Panel<T>({
  title,
  data,
  load,
  loading,
  empty,
  isEmpty,
  children,
}: {
  title: string
  data: WithingsData
  /** What to fetch and shape; a module-level function, so it stays the same across renders. */
  load: (data: WithingsData) => Promise<T>
  /** What the status line says while loading. */
  loading: string
  /** What the panel says when the answer holds nothing to show. */
  empty: string
  isEmpty: (value: T) => boolean
  children: (value: T, reload: () => void) => ReactNode
}) {
  const id = useId()
  const { state, retry } = useAsync(useCallback(() => load(data), [load, data]))
  return (
    <section className="card panel" aria-labelledby={id} aria-busy={state.status === 'loading'}>
      <h2 id={id}>{title}</h2>
      {state.status === 'loading' && <p role="status">{loading}</p>}
      {state.status === 'failed' && (
        <ProblemNotice problem={state.problem} retryAfter={state.retryAfter} onRetry={retry} />
      )}
      {state.status === 'ready' &&
        (isEmpty(state.value) ? <p className="hint">{empty}</p> : children(state.value, retry))}
    </section>
  )
}

export const noPoints = (points: readonly unknown[]) => points.length === 0
