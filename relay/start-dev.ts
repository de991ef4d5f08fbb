// Development entry (`npm run dev`): one URL serving Vite's dev server (hot reload for web/), the
// relay at /api (restarted from fresh code whenever relay/ changes) and, without Withings
// credentials, the built-in emulator, started once here so that it outlives every relay restart.

import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createServer } from 'vite'
import { type Env, parseConfig } from './config'
import { announce, entryBasics, fail, listenProblem } from './node/cli'
import { hotRelay } from './node/hot-relay'
import { startLocalEmulator } from './node/local-emulator'

if (existsSync('.env')) process.loadEnvFile('.env')
const env: Env = process.env
const { emulatorMode, port } = entryBasics(env)

const relay = hotRelay()
const vite = await createServer({
  root: fileURLToPath(new URL('..', import.meta.url)),
  clearScreen: false,
  plugins: [relay.plugin],
  server: {
    port,
    strictPort: true,
    host: env.HOST || '127.0.0.1',
    // The relay decides which origins may call it (ALLOWED_ORIGINS), as in production.
    cors: false,
    // A tunnel to this server arrives with the tunnel's host name, which Vite refuses unless listed.
    allowedHosts: tunnelHosts(env.WITHINGS_REDIRECT_URI),
  },
})
await vite.listen().catch(async (error: NodeJS.ErrnoException) => {
  await vite.close()
  fail([listenProblem(error, port)])
})
// Vite records the port it got (PORT=0 lets the OS choose).
const appUrl = `http://localhost:${vite.config.server.port}`

const settings = emulatorMode ? (await startLocalEmulator(env, appUrl)).settings : env
const parsed = parseConfig(settings, { emulator: emulatorMode })
if (!parsed.ok) {
  await vite.close()
  fail(parsed.problems)
}
for (const warning of parsed.warnings) console.warn(`warning: ${warning}`)
relay.start(parsed.config)
// With real Withings, people must use the address Withings sends them back to (a tunnel or a
// hosts entry leading here): a login's state lives in that origin's storage and cookies.
announce(emulatorMode ? appUrl : new URL(parsed.config.redirectUri).origin, {
  emulator: emulatorMode,
  dev: true,
})
if (!emulatorMode) {
  console.log(
    `It listens on port ${vite.config.server.port}: lead WITHINGS_REDIRECT_URI's host here.`,
  )
}

function tunnelHosts(redirectUri: string | undefined): string[] {
  if (!redirectUri || !URL.canParse(redirectUri)) return []
  const { hostname } = new URL(redirectUri)
  return hostname === 'localhost' ? [] : [hostname]
}
