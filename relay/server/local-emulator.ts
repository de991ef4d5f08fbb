import { randomBytes } from 'node:crypto'
import type { EmulatedWithings } from '../core/config'
import { createEmulator, type EmulatorSnapshot } from '../emulator/create-emulator'
import { type Listening, lateHandler, listen } from '../node/listen'
import { nodeRawConnection } from '../node/raw-connection'
import { keptJson, keptKey } from './data-dir'
import type { EmulatorSettings } from './settings'

const CLIENT_ID = 'withings-link-local'

interface LocalEmulator {
  server: Listening
  /** What the relay's config takes from this emulator (parseConfig's `emulator`), for an app at `appUrl`. */
  withings(appUrl: string): EmulatedWithings
  /** Registers the app's callback, then answers: until then, 503 "Starting…". */
  open(redirectUri: string): void
}

/**
 * The built-in Withings emulator of `npm start` and `npm run dev`, on 127.0.0.1 (another site than
 * the app on localhost, as account.withings.com is), with its control API on for manual fault
 * tests. It listens first, since its URL is part of the relay's config, and opens once that
 * config, parsed, names the callback to register.
 */
export async function startLocalEmulator(
  settings: EmulatorSettings,
  /** DATA_DIR: keep the app's secret and the emulator's grants there across restarts. */
  dataDir: string | undefined,
): Promise<LocalEmulator> {
  const late = lateHandler()
  const server = await listen(late.fetch, { hostname: '127.0.0.1', port: settings.port })
  const kept =
    dataDir === undefined ? undefined : keptJson<EmulatorSnapshot>(dataDir, 'emulator.json')
  const clientSecret =
    dataDir === undefined ? randomText() : keptKey(dataDir, 'emulator-client-secret').key
  return {
    server,
    withings: (appUrl) => ({
      clientId: CLIENT_ID,
      clientSecret,
      authorizeUrl: `${server.url}/oauth2_user/authorize2`,
      apiUrl: server.url,
      redirectUri: `${appUrl}/callback`,
      // Without DATA_DIR sessions last as long as this process; with it, across restarts.
      relaySecret: dataDir === undefined ? randomText() : keptKey(dataDir, 'relay-secret').key,
    }),
    open(redirectUri) {
      const emulator = createEmulator({
        clients: [
          {
            clientId: CLIENT_ID,
            clientSecret,
            callbacks: [redirectUri],
            name: 'withings-link (local)',
          },
        ],
        accessTokenTtlSeconds: settings.tokenTtlSeconds,
        controlApi: true,
        connection: nodeRawConnection,
        ...(kept && { persistence: { snapshot: kept.read(), save: kept.write } }),
      })
      late.serve(emulator.fetch)
    },
  }
}

function randomText(): string {
  return randomBytes(32).toString('base64url')
}
