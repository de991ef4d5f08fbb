// Work the relay goes on with after it has answered (createRelay's `waitUntil`): subscribing to
// notifications after a code exchange, passing a notification on after answering Withings. A
// host that stops gracefully waits for it, as Workers' waitUntil keeps a request's work alive.

export interface BackgroundTasks {
  /** For createRelay's deps: keeps `task` until it settles (its failure is the task's to log). */
  waitUntil(task: Promise<unknown>): void
  /** Resolves once nothing is under way (tasks started meanwhile too); false after `timeoutMs`. */
  settled(timeoutMs?: number): Promise<boolean>
  readonly size: number
}

export function createBackgroundTasks(): BackgroundTasks {
  const running = new Set<Promise<unknown>>()
  return {
    waitUntil(task) {
      const tracked = task.then(
        () => undefined,
        () => undefined,
      )
      running.add(tracked)
      void tracked.then(() => running.delete(tracked))
    },
    async settled(timeoutMs = Number.POSITIVE_INFINITY) {
      const deadline = Date.now() + timeoutMs
      while (running.size > 0) {
        const left = deadline - Date.now()
        if (left <= 0) return false
        let timer: ReturnType<typeof setTimeout> | undefined
        const timeout = new Promise<void>((resolve) => {
          if (Number.isFinite(left)) timer = setTimeout(resolve, left)
        })
        await Promise.race([Promise.all(running), timeout])
        clearTimeout(timer)
      }
      return true
    },
    get size() {
      return running.size
    },
  }
}
