// Items that arrive while the previous write runs are written together, in the next: a burst of
// Withings' notifications (a thousand in a second when its servers catch up) becomes a few
// statements instead of one per person and category. On the embedded PGlite every statement
// holds the relay's own thread, where the callback must keep answering Withings within 2 s.

export interface WriteBatch<T> {
  /** Settles once the write that carries `item` has. */
  add(item: T): Promise<void>
}

export function createWriteBatch<T>(write: (items: T[]) => Promise<void>): WriteBatch<T> {
  let waiting: { items: T[]; written: Promise<void>; settle: (outcome: Promise<void>) => void }
  let writing = false

  const nextBatch = () => {
    let settle: (outcome: Promise<void>) => void = () => {}
    const written = new Promise<void>((resolve) => {
      settle = resolve
    })
    return { items: [] as T[], written, settle }
  }
  waiting = nextBatch()

  async function drain() {
    writing = true
    while (waiting.items.length > 0) {
      const batch = waiting
      waiting = nextBatch()
      const outcome = write(batch.items)
      batch.settle(outcome)
      await outcome.catch(() => {})
    }
    writing = false
  }

  return {
    add(item) {
      const batch = waiting
      batch.items.push(item)
      // The items of this turn of the event loop go together, then whatever came meanwhile.
      if (!writing && batch.items.length === 1) setImmediate(() => void drain())
      return batch.written
    },
  }
}
