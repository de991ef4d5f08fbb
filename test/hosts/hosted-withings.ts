import { join } from 'node:path'
import { createEmulator } from '../../relay/emulator/emulator'
import { listen } from '../../relay/node/listen'
import { testKey } from '../support/relay-config'
import type { HostBuilds } from './host-builds'

/**
 * Withings for a relay in another process: the emulator in this one, on 127.0.0.1, with one app
 * registered for `appUrl`'s callback, and the settings that point a relay there. Its limits are
 * raised: the tests sign in seventy people in a few seconds.
 */
export async function hostedWithings(appUrl: string, name: string) {
  const client = { id: `withings-link-${name}`, secret: `${name}-client-secret-0123456789abcdef` }
  const emulator = createEmulator({
    clients: [
      {
        clientId: client.id,
        clientSecret: client.secret,
        callbacks: [`${appUrl}/callback`],
        name: `withings-link ${name}`,
      },
    ],
    requestsPerMinute: 100_000,
  })
  const server = await listen(emulator.fetch, { hostname: '127.0.0.1' })
  return {
    emulator,
    url: server.url,
    close: () => server.close(),
    /** The relay's environment for this app and this Withings, and `settings` besides. */
    relayEnv: (builds: HostBuilds, settings: Record<string, string> = {}) => ({
      WITHINGS_CLIENT_ID: client.id,
      WITHINGS_CLIENT_SECRET: client.secret,
      WITHINGS_REDIRECT_URI: `${appUrl}/callback`,
      WITHINGS_API_URL: server.url,
      WITHINGS_AUTHORIZE_URL: `${server.url}/oauth2_user/authorize2`,
      RELAY_SECRET: testKey(name),
      // `npm start` serves the relay alone when there is no SPA to serve.
      STATIC_DIR: join(builds.dir, 'no-spa'),
      // The relay's own runtime behaviour: its Node runs share one folder, and the sync's embedded
      // database is one process's (the sync is proven by test/sync and the bundle test).
      SYNC: 'off',
      ...settings,
    }),
  }
}

export type HostedWithings = Awaited<ReturnType<typeof hostedWithings>>
