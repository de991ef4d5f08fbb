import { createServer } from 'node:net'

/**
 * A loopback port nothing listens on just now, for a server that cannot be told to take port 0
 * and say which it got (redis-server, nginx). Another process may take it before the server
 * binds it: callers retry.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      )
    })
  })
}
