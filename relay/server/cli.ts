import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Env, SyncConfig } from '../core/config'

// What the Node entries (start.ts, start-dev.ts) share at the terminal: the .env file, then one
// URL when running, one plain sentence per problem when not, never a stack trace.

/** A .env file in the working directory fills in what the real environment does not set. */
export function loadDotEnv() {
  if (existsSync('.env')) process.loadEnvFile('.env')
}

export function announce(
  appUrl: string,
  {
    emulator,
    dev = false,
    sync,
    keyKept,
  }: {
    emulator: boolean
    dev?: boolean
    /** The sync's settings (SYNC on), to say where the data is kept. */
    sync?: SyncConfig | undefined
    /** Where the generated RELAY_SECRET is kept, when none was given. */
    keyKept?: string | undefined
  },
) {
  console.log(`withings-link is running: ${appUrl}`)
  if (sync) {
    console.log(
      sync.databaseUrl
        ? "People's Withings data is kept in the Postgres server of DATABASE_URL."
        : `People's Withings data is kept in ${join(sync.dataDir, 'postgres')} (embedded Postgres, one process at a time: several instances need DATABASE_URL).`,
    )
    if (sync.webhook) {
      // The host only: the URL's path or query may carry a token of the receiver's.
      console.log(`Each stored change is sent, signed, to ${new URL(sync.webhook.url).host}.`)
    }
  } else {
    console.log('SYNC=off: nothing is kept; the tokens live in the session cookie.')
  }
  if (keyKept) {
    console.log(
      `RELAY_SECRET is not set: the key that seals sessions and tokens is kept in ${keyKept} (readable by you only).`,
    )
  }
  if (dev) {
    console.log(
      'Development mode: the page updates as you edit web/, the relay restarts as you edit relay/.',
    )
  }
  if (emulator) {
    console.log(
      'No Withings credentials set: the built-in Withings emulator stands in for Withings.',
    )
  }
}

/** Why listening failed, in one sentence naming the setting to change (`name` holds the port). */
export function listenProblem(
  error: NodeJS.ErrnoException,
  { name, port, host }: { name: string; port: number; host: string },
): string {
  // Vite reports a busy strict port as a plain Error with this sentence, Node with EADDRINUSE.
  if (error.code === 'EADDRINUSE' || /already in use/i.test(error.message)) {
    return `${name} ${port} is already in use: set ${name} to a free port.`
  }
  if (error.code === 'EACCES') return `${name} ${port} needs privileges: choose a port above 1023.`
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') {
    return `HOST ${host} is not an address of this machine (${error.code}).`
  }
  return `Could not listen on ${host} port ${port}: ${error.code ?? error.message}.`
}

export function fail(problems: readonly string[]): never {
  console.error('withings-link cannot start:')
  for (const problem of problems) console.error(`- ${problem}`)
  process.exit(1)
}

/** Where the local demo's generated key is kept: emulator mode, DATA_DIR, and no RELAY_SECRET. */
export function keyKeptIn(dataDir: string | undefined, env: Env): string | undefined {
  const credentials = env.WITHINGS_CLIENT_ID?.trim() || env.WITHINGS_CLIENT_SECRET?.trim()
  return dataDir && !credentials && !env.RELAY_SECRET?.trim()
    ? join(dataDir, 'relay-secret')
    : undefined
}
