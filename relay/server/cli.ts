import { existsSync } from 'node:fs'

// What the Node entries (start.ts, start-dev.ts) share at the terminal: the .env file, then one
// URL when running, one plain sentence per problem when not, never a stack trace.

/** A .env file in the working directory fills in what the real environment does not set. */
export function loadDotEnv() {
  if (existsSync('.env')) process.loadEnvFile('.env')
}

export function announce(
  appUrl: string,
  { emulator, dev = false }: { emulator: boolean; dev?: boolean },
) {
  console.log(`withings-link is running: ${appUrl}`)
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
