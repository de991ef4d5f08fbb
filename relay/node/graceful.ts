import { RelayError } from '../core/errors'
import type { Logger } from '../core/http/request-log'
import type { FetchHandler, Listening } from './listen'

// Graceful shutdown for the Node entry. A code exchange that is under way when the host stops the
// process (deploy, scale-in, SIGTERM) must finish: the code works once and lives 30 s, so a cut
// exchange cannot be retried. New requests meanwhile get a retryable 503 `shutting_down`, which
// sends a load balancer (or the SPA's next attempt) to another instance.

export interface DrainGate {
  fetch: FetchHandler
  /** From now on refuse new requests; true once every request under way has answered. */
  drain(timeoutMs: number): Promise<boolean>
  readonly inFlight: number
  /** Requests refused since the drain began. */
  readonly refused: number
}

/** Counts requests under way through `handler` and refuses new ones once draining. */
export function drainGate(handler: FetchHandler): DrainGate {
  let inFlight = 0
  let refused = 0
  let draining = false
  let settle: (() => void) | undefined
  const refusal = new RelayError('shutting_down', 'The relay is shutting down: try again.', {
    retryAfter: 1,
  })

  return {
    get inFlight() {
      return inFlight
    },
    get refused() {
      return refused
    },
    async fetch(request, env) {
      if (draining) {
        refused++
        return Response.json(refusal.toBody(), {
          status: refusal.status,
          headers: { 'Retry-After': '1', 'Cache-Control': 'no-store', Connection: 'close' },
        })
      }
      inFlight++
      try {
        const response = await handler(request, env)
        // A kept-alive connection would otherwise hold the stopped server open until it idles out.
        return draining ? closingConnection(response) : response
      } finally {
        inFlight--
        if (inFlight === 0) settle?.()
      }
    },
    drain(timeoutMs) {
      draining = true
      if (inFlight === 0) return Promise.resolve(true)
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs)
        settle = () => {
          clearTimeout(timer)
          resolve(true)
        }
      })
    },
  }
}

function closingConnection(response: Response): Response {
  const closing = new Response(response.body, response)
  closing.headers.set('Connection', 'close')
  return closing
}

export interface GracefulStopOptions {
  gate: DrainGate
  server: Listening
  /** The longest wait: past it the process stops anyway and says what it cut off. */
  graceMs: number
  log: Logger
  now?: () => number
}

/** Drains, closes the listener, and returns the exit code: 0 when drained, 1 when cut off. */
export function gracefulStop({ gate, server, graceMs, log, now = Date.now }: GracefulStopOptions) {
  return async function stop(signal: string): Promise<number> {
    const started = now()
    log({ level: 'info', msg: 'shutting down', signal, inFlight: gate.inFlight, graceMs })
    const drained = await gate.drain(graceMs)
    // Responses still streaming (static files) get what is left of the grace period.
    const left = Math.max(0, graceMs - (now() - started))
    const closed = drained && (await within(server.close(), left))
    log({
      level: closed ? 'info' : 'warn',
      msg: closed ? 'stopped' : 'stopped before every request finished',
      ms: now() - started,
      inFlight: gate.inFlight,
      refused: gate.refused,
    })
    return closed ? 0 : 1
  }
}

function within(work: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    void work.then(() => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}
