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

/** Serves a fetch handler on Node; port 0 lets the OS choose (how every test starts servers). */
export function listen(
  fetch: FetchHandler,
  { hostname = '127.0.0.1', port = 0 }: { hostname?: string; port?: number } = {},
): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: fetch as never, hostname, port }, (info: AddressInfo) => {
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
    })
    server.once('error', reject)
  })
}
