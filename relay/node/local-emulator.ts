import type { Env } from '../config'
import { createEmulator } from '../emulator/app'
import { type Listening, listen } from './listen'

const CLIENT_ID = 'withings-link-local'

/**
 * Starts the built-in Withings emulator on 127.0.0.1 (another site than the app on localhost,
 * as account.withings.com is) with one client whose callback is the app's own `/callback`, and
 * returns the settings that point the relay at it. Its control API is on, for manual fault tests.
 */
export async function startLocalEmulator(
  env: Env,
  appUrl: string,
): Promise<{ settings: Env; server: Listening }> {
  const redirectUri = env.WITHINGS_REDIRECT_URI || `${appUrl}/callback`
  const clientSecret = randomText()
  const ttl = Number(env.EMULATOR_TOKEN_TTL_SECONDS || 10_800)
  const emulator = createEmulator({
    clients: [
      {
        clientId: CLIENT_ID,
        clientSecret,
        callbacks: [redirectUri],
        name: 'withings-link (local)',
      },
    ],
    accessTokenTtlSeconds: Number.isInteger(ttl) && ttl > 0 ? ttl : 10_800,
    controlApi: true,
  })
  const server = await listen(emulator.fetch, {
    hostname: '127.0.0.1',
    port: Number(env.EMULATOR_PORT || 0),
  })
  const settings: Env = {
    ...env,
    WITHINGS_CLIENT_ID: CLIENT_ID,
    WITHINGS_CLIENT_SECRET: clientSecret,
    WITHINGS_REDIRECT_URI: redirectUri,
    WITHINGS_AUTHORIZE_URL: `${server.url}/oauth2_user/authorize2`,
    WITHINGS_API_URL: server.url,
    // Sessions then last as long as this process, which is what a local demo needs.
    RELAY_SECRET: env.RELAY_SECRET || randomText(),
  }
  return { settings, server }
}

function randomText(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
}
