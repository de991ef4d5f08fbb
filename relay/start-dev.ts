// Development entry (`npm run dev`): one URL serving Vite's dev server (hot reload for web/), the
// relay at /api (restarted from fresh code whenever relay/ changes) and, without Withings
// credentials, the built-in emulator, started once here so that it outlives every relay restart.

import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createServer } from 'vite'
import { announce, fail } from './node/cli'
import { hotRelay } from './node/hot-relay'
import { startUp } from './node/start-up'

if (existsSync('.env')) process.loadEnvFile('.env')

const relay = hotRelay()
const { config, server, appUrl } = await startUp(process.env, {
  dev: true,
  async listen({ host, port }, known) {
    const vite = await createServer({
      root: fileURLToPath(new URL('..', import.meta.url)),
      clearScreen: false,
      plugins: [relay.plugin],
      server: {
        port,
        strictPort: true,
        host,
        // The relay decides which origins may call it (ALLOWED_ORIGINS), as in production.
        cors: false,
        // A tunnel to this server arrives with the tunnel's host name, which Vite refuses unless
        // listed. (With the emulator, the redirect URI is this server's own: nothing to add.)
        allowedHosts: known ? tunnelHosts(known.redirectUri) : [],
      },
    })
    await vite.listen()
    // Vite records the port it got (PORT=0 lets the OS choose).
    return { port: vite.config.server.port, close: () => vite.close() }
  },
})
await relay.start(config).catch((error: Error) => fail([error.message]))
// With real Withings, people must use the address Withings sends them back to (a tunnel or a
// hosts entry leading here): a login's state lives in that origin's storage and cookies.
announce(config.emulator ? appUrl : new URL(config.redirectUri).origin, {
  emulator: config.emulator,
  dev: true,
})
if (!config.emulator) {
  console.log(`It listens on port ${server.port}: lead WITHINGS_REDIRECT_URI's host here.`)
}

function tunnelHosts(redirectUri: string): string[] {
  const { hostname } = new URL(redirectUri)
  return hostname === 'localhost' ? [] : [hostname]
}
