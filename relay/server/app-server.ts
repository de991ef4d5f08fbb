import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'
import { pageSecurityHeaders } from '../core/http/security-headers'

interface AppServerOptions {
  relay: { fetch: (request: Request, env?: unknown) => Response | Promise<Response> }
  /** The built SPA (`dist/`, from the working directory); without it the server is the relay alone. */
  staticRoot?: string | undefined
  /** Origins the SPA fetches from besides its own (a relay elsewhere): its CSP's connect-src. */
  connectOrigins?: readonly string[]
}

/** The Node deployment: the relay under /api and, when built, the SPA around it. */
export function createAppServer({ relay, staticRoot, connectOrigins }: AppServerOptions): Hono {
  const app = new Hono()
  // The relay answers /api itself, with its own headers; everything after this is the SPA's.
  app.all('/api/*', (c) => relay.fetch(c.req.raw, c.env))
  app.use('*', pageSecurityHeaders({ ...(connectOrigins && { connectOrigins }) }))
  if (!staticRoot || !existsSync(join(staticRoot, 'index.html'))) return app
  const root = resolve(staticRoot)

  // Hashed assets never change; the HTML shell must always be revalidated.
  app.use('*', async (c, next) => {
    await next()
    if (!c.res.ok) return
    const immutable = c.req.path.startsWith('/assets/')
    c.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
  })
  // Built with .br and .gz twins (vite.config.ts): sent compressed when the browser accepts it.
  app.use('*', serveStatic({ root, precompressed: true }))
  // Client-side routes (/, /callback, /dashboard …) all load the SPA's shell.
  const shell = serveStatic({ root, path: 'index.html' })
  app.get('*', (c, next) => (/\.[a-z0-9]+$/i.test(c.req.path) ? next() : shell(c, next)))
  return app
}
