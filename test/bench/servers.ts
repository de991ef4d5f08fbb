import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Builds } from './builds'
import { type ServerProcess, startServer } from './processes'

// The processes of a benchmark: the emulator, the built relay in real-credentials mode pointed
// at it, and the bare pass-through proxy. Each starts fresh, on a free loopback port.

export const CLIENT = {
  id: 'withings-link-bench',
  secret: 'bench-client-secret-0123456789abcdef',
  // Never visited: codes are read from the consent page's redirect. An https URL on a real-looking
  // host keeps the relay free of callback-rule warnings.
  redirectUri: 'https://app.example.com/callback',
  origin: 'https://app.example.com',
} as const

/** Environment of the relay with real Withings credentials, so no emulator of its own starts. */
export function relayEnv(apiUrl: string): Record<string, string> {
  return {
    WITHINGS_CLIENT_ID: CLIENT.id,
    WITHINGS_CLIENT_SECRET: CLIENT.secret,
    WITHINGS_REDIRECT_URI: CLIENT.redirectUri,
    WITHINGS_API_URL: apiUrl,
    WITHINGS_AUTHORIZE_URL: `${apiUrl}/oauth2_user/authorize2`,
    RELAY_SECRET: 'benchRelaySecret4Kq9Zt1Xv7Mn3Pw8Ry2Lc6Hd0Jx',
    // One address makes all the load; the default 60 a minute would refuse almost all of it,
    // and the app's budget of 100 Withings calls a minute nearly all the refreshes.
    RATE_LIMIT_PER_MINUTE: '100000',
    WITHINGS_CALLS_PER_MINUTE: '100000',
    SIGN_INS_PER_ADDRESS: '100000',
  }
}

/** A working directory with no .env and no dist/: what the relay reads is what we set. */
export const scratchDir = () => mkdtempSync(join(tmpdir(), 'wl-bench-'))

/**
 * The emulator; `accessTokenSeconds` shortens the access tokens' life: at 1 s every session is
 * due for a refresh at once, so each restore at the relay is a refresh at Withings. `people`:
 * more than the seeded ones (test/bench/people.ts).
 */
export function startEmulator(
  builds: Builds,
  { accessTokenSeconds = 10_800, people = 0 } = {},
): Promise<ServerProcess> {
  return startServer({
    script: builds.emulator,
    env: {
      CLIENT_ID: CLIENT.id,
      CLIENT_SECRET: CLIENT.secret,
      CALLBACK: CLIENT.redirectUri,
      ACCESS_TOKEN_SECONDS: String(accessTokenSeconds),
      PEOPLE: String(people),
    },
    readyPath: '/',
    status: 200,
  })
}

export function startRelay(
  builds: Builds,
  apiUrl: string,
  nodeArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<ServerProcess> {
  return startServer({
    script: builds.relay,
    nodeArgs,
    env: { ...relayEnv(apiUrl), ...env },
    cwd: scratchDir(),
    readyPath: '/api/healthz',
    status: 200,
  })
}

export function startPassThrough(
  builds: Builds,
  apiUrl: string,
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  return startServer({
    script: builds.passThrough,
    nodeArgs,
    env: { UPSTREAM_URL: apiUrl },
    readyPath: '/',
  })
}
