import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import { Hono } from 'hono'
import { securityHeaders } from './http/security-headers'

export interface AppServerOptions {
  relay: { fetch: (request: Request, env?: unknown) => Response | Promise<Response> }
  /** The built SPA (`dist/`); without it the server is the relay alone. */
  staticRoot?: string | undefined
}

/** The Node deployment: the relay under /api and, when built, the SPA around it. */
export function createAppServer({ relay, staticRoot }: AppServerOptions): Hono {
  const app = new Hono()
  app.use('*', securityHeaders())
  app.all('/api/*', (c) => relay.fetch(c.req.raw, c.env))
  if (!staticRoot || !existsSync(join(staticRoot, 'index.html'))) return app

  // Hashed assets never change; the HTML shell must always be revalidated.
  app.use('*', async (c, next) => {
    await next()
    if (!c.res.ok) return
    const immutable = c.req.path.startsWith('/assets/')
    c.header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
  })
  app.use('*', serveStatic({ root: staticRoot }))
  // Client-side routes (/, /callback, /dashboard …) all load the SPA's shell.
  const shell = serveStatic({ root: staticRoot, path: 'index.html' })
  app.get('*', (c, next) => (/\.[a-z0-9]+$/i.test(c.req.path) ? next() : shell(c, next)))
  return app
}
