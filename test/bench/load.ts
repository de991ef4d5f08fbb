// Closed-loop load: each virtual client sends its next request as soon as its last one is
// answered, until the time is up. Concurrency is the number of clients.

interface LoadResult {
  completed: number
  seconds: number
  perSecond: number
}

/** Runs every client in a loop for `ms`; a failed request fails the whole run. */
export async function runFor(clients: readonly (() => Promise<void>)[], ms: number) {
  const started = performance.now()
  const deadline = started + ms
  let completed = 0
  await Promise.all(
    clients.map(async (send) => {
      while (performance.now() < deadline) {
        await send()
        completed++
      }
    }),
  )
  // Until the last answer: requests started before the deadline count, and so does their time.
  const seconds = (performance.now() - started) / 1000
  return { completed, seconds, perSecond: completed / seconds } satisfies LoadResult
}

/** Runs the clients until `count` requests have been sent in all. */
export async function runCount(clients: readonly (() => Promise<void>)[], count: number) {
  let started = 0
  await Promise.all(
    clients.map(async (send) => {
      while (started < count) {
        started++
        await send()
      }
    }),
  )
}
