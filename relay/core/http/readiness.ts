import type { Handler } from 'hono'

// GET /api/readyz: whether this instance can serve now, for load balancers and Kubernetes'
// readiness probes (GET /api/healthz only says the process answers). Each dependency adds a
// named check — the shared store (Redis) its own, a database its own — and the answer names
// what is down, with 503, so that traffic goes elsewhere until it is back.

export interface ReadinessCheck {
  /** Names the dependency in the answer: `redis`, `database`. */
  name: string
  /** Resolves when the dependency answers; rejects, or outlasts the deadline, when it is down. */
  check(signal: AbortSignal): Promise<unknown> | unknown
}

/** A probe's own deadline is usually 1 s (Kubernetes' default timeoutSeconds): answer within it. */
const CHECK_TIMEOUT_MS = 800

export function readiness(
  checks: readonly ReadinessCheck[],
  timeoutMs = CHECK_TIMEOUT_MS,
): Handler {
  return async (c) => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => [name, await outcome(check, timeoutMs)] as const),
    )
    const down = results.filter(([, state]) => state !== 'up').map(([name]) => name)
    return c.json(
      { ready: down.length === 0, down, checks: Object.fromEntries(results) },
      down.length === 0 ? 200 : 503,
    )
  }
}

/** `up`, `down` (it failed) or `timeout`: never the failure's message, which may name hosts. */
async function outcome(
  check: ReadinessCheck['check'],
  timeoutMs: number,
): Promise<'up' | 'down' | 'timeout'> {
  const signal = AbortSignal.timeout(timeoutMs)
  const timedOut = new Promise<'timeout'>((resolve) =>
    signal.addEventListener('abort', () => resolve('timeout'), { once: true }),
  )
  const checked = (async () => {
    try {
      await check(signal)
      return 'up' as const
    } catch {
      return 'down' as const
    }
  })()
  return Promise.race([checked, timedOut])
}
