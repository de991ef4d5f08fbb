import { type ChildProcess, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { request } from 'node:http'
import { freePort } from '../support/free-port'

// Servers under test run as their own `node` processes, as they run in production: their CPU
// and memory are theirs alone, and their RSS can be read from /proc.

export interface ServerProcess {
  url: string
  pid: number
  /** The last few kilobytes the process wrote to stderr. */
  stderr(): string
  /** SIGTERM, then SIGKILL if it has not exited within 2 s. */
  stop(): Promise<void>
}

const running = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

export { freePort }

export interface SpawnOptions {
  /** A script for plain `node`. */
  script: string
  env: Record<string, string>
  cwd?: string
  /** Options for node itself, before the script. */
  nodeArgs?: string[]
}

/** Spawns `node script` listening on `port` (PORT, HOST=127.0.0.1); the caller decides when it is ready. */
export function spawnNode({ script, env, cwd, nodeArgs = [] }: SpawnOptions, port: number) {
  const child = spawn(process.execPath, [...nodeArgs, script], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    // One log line per request goes nowhere: writing it costs the server what it would cost in
    // production, and a pipe to this process would cost the load generator too.
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  running.add(child)
  let stderr = ''
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 2_000)
      await exited
      clearTimeout(timer)
    }
    running.delete(child)
  }
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    stop,
    stderr: () => stderr,
    failure: () => `${script} exited (${child.exitCode ?? child.signalCode}): ${stderr.trim()}`,
  }
}

/** GET `url` until it answers `status` (any status when omitted); resolves when it does. */
export async function waitForAnswer(
  url: string,
  {
    status,
    child,
    timeoutMs = 20_000,
  }: { status?: number; child?: ChildProcess; timeoutMs?: number },
): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    if (child && child.exitCode !== null)
      throw new Error(`the server exited before answering ${url}`)
    const answered = await probe(url)
    if (answered !== undefined && (status === undefined || answered === status)) return
    // Refused connections come back at once: a short pause keeps the probe from eating a core.
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
  throw new Error(`${url} did not answer${status ? ` ${status}` : ''} within ${timeoutMs} ms`)
}

function probe(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const sent = request(url, { agent: false }, (response) => {
      response.resume()
      response.on('end', () => resolve(response.statusCode))
    })
    sent.on('error', () => resolve(undefined))
    sent.end()
  })
}

/** Starts a server process and waits until `readyPath` answers (with `status`, if given). */
export async function startServer(
  options: SpawnOptions & { readyPath: string; status?: number },
): Promise<ServerProcess> {
  const spawned = spawnNode(options, await freePort())
  try {
    await waitForAnswer(`${spawned.url}${options.readyPath}`, {
      child: spawned.child,
      ...(options.status !== undefined && { status: options.status }),
    })
  } catch (error) {
    await spawned.stop()
    throw new Error(`${spawned.failure()}\n${(error as Error).message}`)
  }
  return {
    url: spawned.url,
    pid: spawned.child.pid ?? 0,
    stop: spawned.stop,
    stderr: spawned.stderr,
  }
}

/** Resident set size of a process in bytes, from /proc (Linux). */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kilobytes = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1]
  if (kilobytes === undefined) throw new Error(`no VmRSS for process ${pid}`)
  return Number(kilobytes) * 1024
}

/** CPU time (user + system) a process has used so far, in seconds, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name, which is in parentheses and may itself hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const ticks = Number(fields[11]) + Number(fields[12])
  return ticks / CLOCK_TICKS_PER_SECOND
}

/** USER_HZ: 100 on every Linux build that matters here (`getconf CLK_TCK`). */
const CLOCK_TICKS_PER_SECOND = 100
