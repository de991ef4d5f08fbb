import type { Handler } from 'hono'

// GET /api/readyz: whether this instance can serve now, for load balancers and Kubernetes'
// readiness probes (GET /api/healthz only says the process answers). Each dependency adds a
// named check — the shared store (Redis) its own, a database its own — and the answer names
// what is down, with 503, so that traffic goes elsewhere until it is back. A check that only
// `degrades` the service (the sync's Withings calls, its webhook receiver: sign-ins and pages go
// on without them) is named in `degraded` when it fails, and the instance stays ready.

export interface ReadinessCheck {
  /** Names the dependency in the answer: `redis`, `database`. */
  name: string
  /** Resolves when the dependency answers; rejects, or outlasts the deadline, when it is down. */
  check(signal: AbortSignal): Promise<unknown> | unknown
  /** Its failure shows in `degraded`, and leaves the instance ready. */
  degrades?: boolean
}

/** A probe's own deadline is usually 1 s (Kubernetes' default timeoutSeconds): answer within it. */
const CHECK_TIMEOUT_MS = 800

export function readiness(
  checks: readonly ReadinessCheck[],
  timeoutMs = CHECK_TIMEOUT_MS,
): Handler {
  return async (c) => {
    const results = await Promise.all(
      checks.map(async ({ name, check, degrades = false }) => ({
        name,
        degrades,
        state: await outcome(check, timeoutMs),
      })),
    )
    const failing = (degrading: boolean) =>
      results
        .filter(({ state, degrades }) => state !== 'up' && degrades === degrading)
        .map(({ name }) => name)
    const down = failing(false)
    const degraded = failing(true)
    return c.json(
      {
        ready: down.length === 0,
        down,
        ...(degraded.length > 0 && { degraded }),
        checks: Object.fromEntries(results.map(({ name, state }) => [name, state])),
      },
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
