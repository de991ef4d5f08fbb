// An app that already exists, adding Withings from the packed `withings-link` as the README's
// "Add Withings to your app" says: plain JavaScript run by plain node, with nothing installed
// but the package and its peers. It prints one JSON line saying where each recipe answers.

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
import { createSync, MEASURE_TYPES, openSyncDatabase } from 'withings-link/sync'

const listening = (server) =>
  new Promise((resolve) => server.once('listening', () => resolve(server.address().port)))
const at = (port) => `http://127.0.0.1:${port}`
const served = async (fetch) =>
  at(await listening(serve({ fetch, hostname: '127.0.0.1', port: 0 })))

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
const withings = await served(emulator.fetch)
process.env.WITHINGS_AUTHORIZE_URL = `${withings}/oauth2_user/authorize2`
process.env.WITHINGS_API_URL = withings

// Recipe: an existing Hono app on Node, its own routes beside the relay's /api.
const relay = await createNodeRelay(configFromEnv(process.env))
const app = new Hono()
app.get('/', (c) => c.text('the app’s own home page'))
app.route('/', relay)
const hono = await served(app.fetch)

// Recipe: Express, or any (req, res, next) middleware stack, before its body parsers.
const toRelay = getRequestListener(relay.fetch)
const withRelay = (req, res, next) => (req.url.startsWith('/api/') ? toRelay(req, res) : next())
const express = createServer((req, res) =>
  withRelay(req, res, () => res.end('the Express app’s own page')),
)
const middleware = at(await listening(express.listen(0, '127.0.0.1')))

// Recipe: a fetch-style route handler (Next.js: app/api/[...path]/route.ts), made on first use.
let webRelay
function handler(request) {
  webRelay ??= createRelay(configFromEnv(process.env), {
    connectionAddress: (c) => c.req.header('x-real-ip'),
  })
  return webRelay.fetch(request)
}
const GET = handler
const POST = handler
const routeHandler = await served((request) =>
  request.method === 'POST' ? POST(request) : GET(request),
)

// Recipe: the React side, rendered on the server as a framework does before hydrating.
const page = renderToString(
  createElement(
    WithingsLinkProvider,
    { relayUrl: hono },
    createElement(MemoryRouter, null, createElement(ConnectWithings)),
  ),
)

// Recipe: the app's backend keeps and reads the people's data (withings-link/sync): a database
// (here PGlite in memory; a Postgres server with { url }), the sync handed to the relay, and the
// app's own route answering from the store with a typed query.
const database = await openSyncDatabase({ memory: true })
const changes = []
const config = configFromEnv({ ...process.env, SYNC: 'off' })
const sync = createSync({
  database,
  relaySecrets: config.relaySecrets,
  onEvent: (event) => changes.push(event.type),
})
const synced = new Hono()
synced.get('/backend/weight/:userid', async (c) => {
  const [latest] = await sync.queries.latest(Number(c.req.param('userid')), [1])
  return c.json({ latest, unit: MEASURE_TYPES[1].unit, changes })
})
synced.route('/', createRelay(config, { sync }))
const backend = await served(synced.fetch)

// Without ioredis installed, asking for Redis says what to install.
const withoutIoredis = await createNodeRelay({
  ...configFromEnv(process.env),
  redisUrl: 'redis://127.0.0.1:1',
}).then(
  () => 'opened',
  (error) => error.message,
)

console.log(
  JSON.stringify({ hono, middleware, routeHandler, backend, withings, page, withoutIoredis }),
)
