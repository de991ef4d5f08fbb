/**
 * Asks until `check` holds (each answer a real request or query), every `everyMs`, for at most
 * `timeoutMs`; a question that fails counts as not yet. For what happens after an answer (jobs,
 * imports), which no event tells a test about. Questions to the relay count in its rate limit
 * (60 a minute per client and route family): ask those every 250 ms or more.
 */
export async function until<T>(
  ask: () => Promise<T>,
  check: (value: T) => boolean,
  timeoutMs = 10_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await ask().catch(() => undefined)
    if (value !== undefined && check(value)) return value
    if (Date.now() > deadline) throw new Error(`never happened within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}
