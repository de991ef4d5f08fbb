import type { MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'

export interface LogLine {
  level: 'info' | 'warn' | 'error'
  msg: string
  [field: string]: unknown
}

export type Logger = (line: LogLine) => void

/** One JSON line per event: what log collectors ingest without configuration. */
export const jsonLogger: Logger = (line) => {
  console.log(JSON.stringify({ at: new Date().toISOString(), ...line }))
}

export type RelayEnv = { Variables: { requestId: string } }

/**
 * One structured line per request: method, route pattern, status, duration and a request id.
 * Only the route pattern is logged, never the path, query string or a body: codes and tokens stay out.
 */
export const requestLog = (options: {
  log: Logger
  now: () => number
}): MiddlewareHandler<RelayEnv> => {
  const { log, now } = options
  return async function requestLog(c, next) {
    const started = now()
    const id = crypto.randomUUID()
    c.set('requestId', id)
    c.header('X-Request-Id', id)
    await next()
    log({
      level: c.res.status >= 500 ? 'error' : 'info',
      msg: 'request',
      id,
      method: c.req.method,
      // The last matched route is the one the request was for, even when a guard refused it.
      route: routePath(c, -1),
      status: c.res.status,
      ms: now() - started,
    })
  }
}
