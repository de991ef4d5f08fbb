import type { AddressInfo } from 'node:net'
import { type Http2Bindings, type HttpBindings, serve } from '@hono/node-server'

export interface Listening {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:39417`. */
  url: string
  port: number
  /** Stops accepting connections, waits for in-flight requests, then drops idle keep-alives. */
  close(): Promise<void>
}

/** What Node serves: a Web-standard handler, given @hono/node-server's bindings as its env. */
export type FetchHandler = (
  request: Request,
  env: HttpBindings | Http2Bindings,
) => Response | Promise<Response>

// Node waits 300 s for a request's body by default: a client trickling one byte at a time holds a
// connection that long. Every request here is a few KB at most, so 10 s for the headers and 15 s
// for the whole request are plenty. (Answers may take longer: this bounds only what comes in.)
const HEADERS_TIMEOUT_MS = 10_000
const REQUEST_TIMEOUT_MS = 15_000

/** Serves a fetch handler on Node; port 0 lets the OS choose (how every test starts servers). */
export function listen(
  fetch: FetchHandler,
  { hostname = '127.0.0.1', port = 0 }: { hostname?: string; port?: number } = {},
): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch,
        hostname,
        port,
        serverOptions: { headersTimeout: HEADERS_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
      },
      (info: AddressInfo) => {
        const host = hostname === '::1' ? '[::1]' : hostname
        resolve({
          url: `http://${host}:${info.port}`,
          port: info.port,
          close: () =>
            new Promise<void>((done) => {
              server.close(() => done())
              if ('closeIdleConnections' in server) server.closeIdleConnections()
            }),
        })
      },
    )
    server.once('error', reject)
  })
}

/**
 * A handler to listen with before the real one exists (the URL it gets is part of what the real
 * one is made from): it answers 503 "Starting…" with Retry-After until `serve` is called.
 */
export function lateHandler(): { fetch: FetchHandler; serve(handler: FetchHandler): void } {
  let current: FetchHandler = () =>
    new Response('Starting…', { status: 503, headers: { 'Retry-After': '1' } })
  return {
    fetch: (request, env) => current(request, env),
    serve(handler) {
      current = handler
    },
  }
}
