// An app that already exists, adding Withings from the packed `withings-link` the way the
// README's "Add Withings to your app" says: plain JavaScript, run by plain node, with only the
// package and its peers installed. It prints one JSON line saying where each recipe answers.

import { createServer } from 'node:http'
import { getRequestListener, serve } from '@hono/node-server'
import { Hono } from 'hono'
import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { MemoryRouter } from 'react-router-dom'
import { createEmulator } from 'withings-link/emulator'
import { createNodeRelay } from 'withings-link/node'
import { ConnectWithings, WithingsLinkProvider } from 'withings-link/react'
import { configFromEnv, createRelay } from 'withings-link/relay'

const listening = (server) =>
  new Promise((resolve) => server.once('listening', () => resolve(server.address().port)))
const at = (port) => `http://127.0.0.1:${port}`

// Withings, played by the packed emulator, for the app registered in the environment.
const emulator = createEmulator({
  clients: [
    {
      clientId: process.env.WITHINGS_CLIENT_ID,
      clientSecret: process.env.WITHINGS_CLIENT_SECRET,
      callbacks: [process.env.WITHINGS_REDIRECT_URI],
    },
  ],
})
const withings = at(
  await listening(serve({ fetch: emulator.fetch, hostname: '127.0.0.1', port: 0 })),
)
const config = configFromEnv({
  ...process.env,
  WITHINGS_AUTHORIZE_URL: `${withings}/oauth2_user/authorize2`,
  WITHINGS_API_URL: withings,
})

// Recipe: an existing Hono app, its own routes first, then the relay under /api.
const relay = createRelay(config)
const app = new Hono()
app.get('/', (c) => c.text('the app’s own home page'))
app.all('/api/*', (c) => relay.fetch(c.req.raw, c.env))
const hono = at(await listening(serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 })))

// Recipe: Express, or any (req, res, next) middleware stack, with the Node wiring.
const nodeRelay = await createNodeRelay(config)
const relayListener = getRequestListener(nodeRelay.fetch)
const withRelay = (req, res, next) =>
  req.url.startsWith('/api/') ? relayListener(req, res) : next()
const express = createServer((req, res) =>
  withRelay(req, res, () => res.end('the Express app’s own page')),
)
const middleware = at(await listening(express.listen(0, '127.0.0.1')))

// Recipe: a fetch-style handler (a Next.js route handler under app/api/[...path]/route.ts).
const handler = (request) => relay.fetch(request)
const POST = handler
const GET = handler
const routeHandler = at(
  await listening(
    serve({
      fetch: (request) => (request.method === 'POST' ? POST(request) : GET(request)),
      hostname: '127.0.0.1',
      port: 0,
    }),
  ),
)

// Recipe: the React side, rendered on the server as a framework does before hydrating.
const page = renderToString(
  createElement(
    WithingsLinkProvider,
    { relayUrl: hono },
    createElement(MemoryRouter, null, createElement(ConnectWithings)),
  ),
)

// Without ioredis installed, asking for Redis says what to install.
const withoutIoredis = await createNodeRelay({ ...config, redisUrl: 'redis://127.0.0.1:1' }).then(
  () => 'opened',
  (error) => error.message,
)

console.log(JSON.stringify({ hono, middleware, routeHandler, withings, page, withoutIoredis }))
