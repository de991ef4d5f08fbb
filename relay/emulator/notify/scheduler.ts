// When the Notify service's retries run. The default waits in real time, as Withings does; tests
// inject one that compresses hours into milliseconds, or runs each task at once.

export interface Scheduler {
  /** Runs `task` once `delayMs` have passed; the returned function cancels it. */
  after(delayMs: number, task: () => void): () => void
}

export const realTimeScheduler: Scheduler = {
  after(delayMs, task) {
    const timer = setTimeout(task, delayMs)
    return () => clearTimeout(timer)
  },
}
