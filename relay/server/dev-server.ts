import { fileURLToPath } from 'node:url'
import { createServer, type Plugin } from 'vite'
import type { RelayConfig } from '../core/config'
import type { NodeSettings } from './settings'
import type { Server } from './start-up'

/**
 * `npm run dev`'s server: Vite's, for the project's own pages (hot reload for web/), with the
 * relay's plugin in front of it. `known` is the relay's config when it is known before listening
 * (with Withings credentials).
 */
export async function startDevServer(
  { host, port }: NodeSettings,
  known: RelayConfig | undefined,
  relay: Plugin,
): Promise<Server> {
  const vite = await createServer({
    root: fileURLToPath(new URL('../..', import.meta.url)),
    clearScreen: false,
    plugins: [relay],
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
}

function tunnelHosts(redirectUri: string): string[] {
  const { hostname } = new URL(redirectUri)
  return hostname === 'localhost' ? [] : [hostname]
}
