// Development entry (`npm run dev`): one URL serving Vite's dev server (hot reload for web/), the
// relay at /api (restarted from fresh code whenever relay/ changes) and, without Withings
// credentials, the built-in emulator, started once here so that it outlives every relay restart.

import { announce, fail, keyKeptIn, loadDotEnv } from './cli'
import { startDevServer } from './dev-server'
import { hotRelay } from './hot-relay'
import { startUp } from './start-up'

loadDotEnv()
const relay = hotRelay()
const { config, server, appUrl, settings } = await startUp(process.env, {
  dev: true,
  listen: (settings, known) => startDevServer(settings, known, relay.plugin),
})
await relay.start(config).catch((error: Error) => fail([error.message]))
// With real Withings, people must use the address Withings sends them back to (a tunnel or a
// hosts entry leading here): a login's state lives in that origin's storage and cookies.
announce(config.emulator ? appUrl : new URL(config.redirectUri).origin, {
  emulator: config.emulator,
  dev: true,
  sync: config.sync,
  keyKept: keyKeptIn(settings.dataDir, process.env),
})
if (!config.emulator) {
  console.log(`It listens on port ${server.port}: lead WITHINGS_REDIRECT_URI's host here.`)
}
