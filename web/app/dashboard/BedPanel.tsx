import { useId } from 'react'
import { type BedState, useBedState } from 'withings-link/react'
import { formatMoment } from '../data/format'

/** In bed or out of bed, live, as the person's Sleep Analyzer reports it (user.sleepevents). */
export function BedPanel() {
  const id = useId()
  const { state } = useBedState()
  return (
    <section className="card panel" aria-labelledby={id}>
      <h2 id={id}>Bed</h2>
      {/* Polite: said when the screen reader is idle, without moving the focus. */}
      <p role="status" className="latest">
        <BedSentence state={state} />
      </p>
      {state.inflatedAt !== undefined && (
        <p className="hint">
          Sleep Analyzer set up (inflated at {formatMoment(state.inflatedAt)}).
        </p>
      )}
    </section>
  )
}

function BedSentence({ state: { bed } }: { state: BedState }) {
  if (!bed) {
    return (
      <>Nothing yet: getting into and out of bed shows here as the Sleep Analyzer reports it.</>
    )
  }
  const at = formatMoment(bed.at)
  return bed.kind === 'bed_in' ? (
    <>
      In bed since <strong>{at}</strong>
    </>
  ) : (
    <>
      Out of bed at <strong>{at}</strong>
    </>
  )
}
