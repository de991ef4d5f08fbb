import { type ChildProcess, spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { waitForAnswer } from '../bench/processes'
import { freePort } from '../support/free-port'
import type { HostBuilds } from './host-builds'
import type { Runtime } from './runtimes'

// Serves a program (the relay's recipe for the runtime, or the benchmarks' pass-through proxy)
// on one runtime, as its own process on 127.0.0.1:`port`, configured by its environment as in
// production, and waits for its first 200. Workers run in workerd behind a stand-in for
// Cloudflare's edge (fixtures/cloudflare-edge.js), which sets CF-Connecting-IP as Cloudflare does.

/** `pages`: deploy/cloudflare-pages' function, on workerd only. */
export type Program = 'relay' | 'passThrough' | 'pages'

export interface Served {
  url: string
  port: number
  pid: number
  /** From spawning to the first 200 on `readyPath`. */
  startupMs: number
  /** What the process wrote, the last few kilobytes of each stream. */
  output(): string
  stop(): Promise<void>
}

export interface ServeOptions {
  runtime: Runtime
  program: Program
  builds: HostBuilds
  /** The program's settings (WITHINGS_*, REDIS_URL…); PORT and HOST are added. */
  env: Record<string, string>
  /** A port chosen ahead (the relay's redirect URI names it); a free one otherwise. */
  port?: number
  readyPath?: string
}

const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
})

export async function serveOn(options: ServeOptions): Promise<Served> {
  const { runtime, program, builds } = options
  const port = options.port ?? (await freePort())
  const env = { ...options.env, HOST: '127.0.0.1', PORT: String(port) }
  const [command, args] = commandLine(runtime, program, builds, env, port)
  const started = performance.now()
  const child = spawn(command, args, {
    cwd: builds.dir,
    // Nothing from the test's own environment but PATH and HOME (Deno keeps its cache there).
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DENO_NO_UPDATE_CHECK: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  running.add(child)
  const streams = { stdout: '', stderr: '' }
  for (const name of ['stdout', 'stderr'] as const) {
    child[name]?.setEncoding('utf8').on('data', (chunk: string) => {
      streams[name] = (streams[name] + chunk).slice(-8_000)
    })
  }
  const output = () => `stdout: ${streams.stdout.trim()}\nstderr: ${streams.stderr.trim()}`
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      kill(child, 'SIGTERM')
      const timer = setTimeout(() => kill(child, 'SIGKILL'), 2_000)
      await exited
      clearTimeout(timer)
    }
    running.delete(child)
  }
  const url = `http://127.0.0.1:${port}`
  try {
    await waitForAnswer(`${url}${options.readyPath ?? '/api/healthz'}`, { status: 200, child })
  } catch (error) {
    await stop()
    throw new Error(
      `${runtime.name} did not serve ${program}: ${(error as Error).message}\n${output()}`,
    )
  }
  return { url, port, pid: child.pid ?? 0, startupMs: performance.now() - started, output, stop }
}

/** The whole process group: a runtime may start helpers of its own. */
function kill(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    if (child.pid) process.kill(-child.pid, signal)
  } catch {
    // Already gone.
  }
}

function commandLine(
  runtime: Runtime,
  program: Program,
  builds: HostBuilds,
  env: Record<string, string>,
  port: number,
): [string, string[]] {
  const relay = program === 'relay'
  if (program === 'pages' && runtime.family !== 'workerd') {
    throw new Error('A Pages Function runs on workerd only.')
  }
  switch (runtime.family) {
    case 'node':
      return [runtime.binary, [relay ? builds.node : builds.passThrough.node]]
    case 'bun':
      return [runtime.binary, [relay ? builds.bun : builds.passThrough.bun]]
    case 'deno':
      return [
        runtime.binary,
        [
          ...['run', '--no-prompt', '--allow-net', '--allow-env', '--allow-read', '--allow-sys'],
          relay ? builds.deno : builds.passThrough.deno,
        ],
      ]
    case 'workerd': {
      const config = join(builds.dir, `workerd-${port}.capnp`)
      const worker = {
        relay: builds.worker,
        passThrough: builds.passThrough.worker,
        pages: builds.pages,
      }[program]
      writeFileSync(config, workerdConfig({ worker, edge: builds.edge, env, port }))
      return [runtime.binary, ['serve', config]]
    }
  }
}

/**
 * workerd's config: the Worker with its settings as text bindings, behind the edge stand-in on
 * 127.0.0.1:`port`, and an outbound network that may reach loopback (workerd's default refuses
 * private and local addresses; the emulator is on 127.0.0.1).
 */
export function workerdConfig({
  worker,
  edge,
  env,
  port,
  compatibilityDate = '2026-07-01',
}: {
  worker: string
  edge: string
  env: Record<string, string>
  port: number
  compatibilityDate?: string
}): string {
  const bindings = Object.entries(env)
    .filter(([name]) => name !== 'HOST' && name !== 'PORT')
    .map(([name, value]) => `(name = ${JSON.stringify(name)}, text = ${JSON.stringify(value)})`)
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "edge", worker = (
      modules = [(name = "edge.js", esModule = embed ${JSON.stringify(basename(edge))})],
      compatibilityDate = "${compatibilityDate}",
      bindings = [(name = "WORKER", service = "worker")])),
    (name = "worker", worker = (
      modules = [(name = "worker.js", esModule = embed ${JSON.stringify(basename(worker))})],
      compatibilityDate = "${compatibilityDate}",
      bindings = [${bindings.join(', ')}],
      globalOutbound = "outbound")),
    (name = "outbound", network = (allow = ["public", "local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "edge")],
);
`
}
