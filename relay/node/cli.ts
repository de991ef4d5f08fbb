import { type Env, parsePort } from '../config'

// What the Node entries (start.ts, start-dev.ts) share: the first reading of their environment, and
// what they tell the person at the terminal — one URL when running, one plain sentence per
// problem when not, never a stack trace.

/** Emulator mode (no Withings credentials at all) and the port, or a refusal to start. */
export function entryBasics(env: Env): { emulatorMode: boolean; port: number } {
  const problems: string[] = []
  const port = parsePort(env.PORT, problems)
  if (problems.length > 0) fail(problems)
  return { emulatorMode: !env.WITHINGS_CLIENT_ID && !env.WITHINGS_CLIENT_SECRET, port }
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

export function listenProblem(error: NodeJS.ErrnoException, port: number): string {
  // Vite reports a busy strict port as a plain Error with this sentence, Node with EADDRINUSE.
  if (error.code === 'EADDRINUSE' || /already in use/i.test(error.message)) {
    return `PORT ${port} is already in use: set PORT to a free port.`
  }
  if (error.code === 'EACCES') return `PORT ${port} needs privileges: choose a port above 1023.`
  return `Could not listen on port ${port}: ${error.code ?? error.message}.`
}

export function fail(problems: readonly string[]): never {
  console.error('withings-link cannot start:')
  for (const problem of problems) console.error(`- ${problem}`)
  process.exit(1)
}
