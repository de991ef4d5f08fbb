import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

// Runs a Node entry (relay/server/start.ts, relay/server/start-dev.ts, the built bundle) as a
// person runs it: a separate process, configured by its environment, in a scratch working
// directory so that no developer's .env or dist/ leaks into a test.

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const TSX = join(ROOT, 'node_modules/.bin/tsx')

const running: ChildProcess[] = []

/**
 * For `afterEach`: kills whatever a test left running — the whole process group, since tsx runs
 * the entry in a child of its own that would outlive a killed tsx.
 */
export function killEntries() {
  for (const child of running.splice(0)) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL')
    } catch {
      // Already gone.
    }
  }
}

export interface EntryOptions {
  /** Only these variables (plus PATH, and PORT=0 unless given): nothing leaks from the shell. */
  env?: Record<string, string>
  /** Files to write into the scratch working directory first, e.g. `{'.env': '…'}`. */
  files?: Record<string, string>
  /** Defaults to a fresh scratch directory. */
  cwd?: string
}

export function runEntry(command: string, args: string[], options: EntryOptions = {}) {
  const cwd = options.cwd ?? mkdtempSync(join(tmpdir(), 'wl-entry-'))
  for (const [name, content] of Object.entries(options.files ?? {})) {
    writeFileSync(join(cwd, name), content)
  }
  const child = spawn(command, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...options.env },
    detached: true,
  })
  running.push(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  const output = () => ({ stdout, stderr })

  /** Waits until stdout matches, or fails with everything the process said. */
  async function waitFor(pattern: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const match = pattern.exec(stdout)
      if (match) return match
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`stdout never matched ${pattern}.\nstdout: ${stdout}\nstderr: ${stderr}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  }

  return {
    child,
    cwd,
    exited,
    output,
    waitFor,
    /** The one URL the entry prints once it serves. */
    url: async () => (await waitFor(/running: (\S+)/))[1] ?? '',
    /** The JSON lines it logged (request lines, the code exchange, shutdown). */
    logLines: () =>
      stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  }
}

/** `npm run dev`'s entry, as package.json's script names it (`tsx <file>`): the tests run it. */
export function runDev(options: EntryOptions = {}) {
  const { dev } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts
  const file = /^tsx (\S+\.ts)$/.exec(dev)?.[1]
  if (!file) throw new Error(`npm run dev is no longer "tsx <file>": ${dev}`)
  return runEntry(TSX, [join(ROOT, file)], options)
}

/** `npm start`'s entry, straight from the TypeScript source. */
export function runStart(options: EntryOptions = {}) {
  return runEntry(TSX, [join(ROOT, 'relay/server/start.ts')], options)
}

export type Entry = ReturnType<typeof runEntry>
