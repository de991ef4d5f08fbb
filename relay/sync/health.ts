import type { ReadinessCheck } from '../core/http/readiness'
import type { Logger } from '../core/http/request-log'

// How a dependency the sync reaches on its own is doing, as its last attempts say: Withings for
// the jobs, the app's webhook receiver for the deliveries. One log line when it starts failing,
// one when it answers again (not one per attempt), and an entry in GET /api/readyz that shows
// the fault without taking the instance out of service: sign-ins and pages do not need either.

export interface Health {
  ok(): void
  /** `reason`: a status or an error's kind, never an answer's body. */
  failed(reason: string): void
  readonly readiness: ReadinessCheck
}

export function createHealth(options: {
  name: string
  log: Logger
  messages: { failing: string; back: string }
}): Health {
  const { name, log, messages } = options
  let failing: string | undefined
  return {
    ok() {
      if (failing === undefined) return
      failing = undefined
      log({ level: 'info', msg: messages.back })
    },
    failed(reason) {
      if (failing === undefined) log({ level: 'warn', msg: messages.failing, reason })
      failing = reason
    },
    readiness: {
      name,
      degrades: true,
      check() {
        if (failing !== undefined) throw new Error(failing)
      },
    },
  }
}
