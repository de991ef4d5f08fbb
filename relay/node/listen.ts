import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'

export interface Listening {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:39417`. */
  url: string
  port: number
  /** Stops accepting connections, waits for in-flight requests, then drops idle keep-alives. */
  close(): Promise<void>
}

type FetchHandler = (request: Request, env: never) => Response | Promise<Response>

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
        fetch: fetch as never,
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
