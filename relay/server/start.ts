// Node entry (`npm start`, `node build/relay/start.mjs`): environment → settings → serve.
// Without Withings credentials it starts the built-in emulator and points everything at it.

import { jsonLogger } from '../core/http/request-log'
import { drainGate, gracefulStop } from '../node/graceful'
import { lateHandler, listen } from '../node/listen'
import { createNodeRelay } from '../node/node-relay'
import { createAppServer } from './app-server'
import { announce, fail, keyKeptIn, loadDotEnv } from './cli'
import { startUp } from './start-up'

loadDotEnv()

const late = lateHandler()
const gate = drainGate(late.fetch)
const { settings, config, server, appUrl } = await startUp(process.env, {
  dev: false,
  listen: ({ host, port }) => listen(gate.fetch, { hostname: host, port }),
})
const relay = await createNodeRelay(config).catch((error: Error) => fail([error.message]))
late.serve(
  createAppServer({
    relay,
    staticRoot: settings.staticDir,
    connectOrigins: settings.connectOrigins,
  }).fetch,
)
announce(appUrl, {
  emulator: config.emulator,
  sync: config.sync,
  keyKept: keyKeptIn(settings.dataDir, process.env),
})
const publicOrigin = new URL(config.redirectUri).origin
if (publicOrigin !== appUrl) {
  // The relay accepts calls from the redirect URI's origin (and ALLOWED_ORIGINS) only.
  console.log(
    `Open the app at ${publicOrigin} (the origin of WITHINGS_REDIRECT_URI), e.g. through your tunnel.`,
  )
}

// Each request waits on Withings for at most one upstream deadline, so this is enough to drain.
const stop = gracefulStop({
  gate,
  server,
  graceMs: config.upstreamTimeoutMs + 2_000,
  log: jsonLogger,
})
// Live streams first (their pages reconnect elsewhere; open, they would hold the server), then
// the requests under way, then the work begun after answering, then the connections.
const AFTER_WORK_MS = 2_000
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    relay.shutDown()
    void stop(signal).then(async (code) => {
      await relay.settled(AFTER_WORK_MS)
      await relay.close()
      process.exit(code)
    })
  })
}
