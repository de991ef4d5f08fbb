import type { Builds } from './builds'
import { compared, type Figure } from './figures'
import { freePort, spawnNode, waitForAnswer } from './processes'
import { relayEnv, scratchDir } from './servers'
import { median } from './stats'

// Item 3: from spawning `node build/relay/start.mjs` (real credentials, so no emulator starts)
// to its first 200 on /api/healthz, against @hono/node-server's hello world bundled the same way
// and spawned the same way, to its first 200 on /. Spawns alternate between the two.

export interface StartupOptions {
  spawns: number
  warmup: number
}

const TARGET = 1.3

export async function startupTime(builds: Builds, options: StartupOptions): Promise<Figure> {
  const relay = {
    script: builds.relay,
    // Withings is never called: only the start is timed.
    env: relayEnv('http://127.0.0.1:9'),
    cwd: scratchDir(),
    path: '/api/healthz',
  }
  const hello = { script: builds.hello, env: {}, path: '/' }
  const times = { relay: [] as number[], hello: [] as number[] }
  for (let i = 0; i < options.warmup + options.spawns; i++) {
    const order = i % 2 === 0 ? (['relay', 'hello'] as const) : (['hello', 'relay'] as const)
    for (const side of order) {
      const ms = await timeToFirst200(side === 'relay' ? relay : hello)
      if (i >= options.warmup) times[side].push(ms)
    }
  }
  const ratio = median(times.relay) / median(times.hello)
  return compared({
    id: '3',
    name: 'Start-up: spawn to first 200',
    unit: 'ms',
    value: median(times.relay),
    reference: { name: '@hono/node-server hello world', value: median(times.hello) },
    target: `≤ ${TARGET}×`,
    met: ratio <= TARGET,
    method: `median of ${options.spawns} spawns each, alternating, after ${options.warmup} warm-up spawns`,
  })
}

async function timeToFirst200(server: {
  script: string
  env: Record<string, string>
  cwd?: string
  path: string
}): Promise<number> {
  const port = await freePort()
  const started = performance.now()
  const spawned = spawnNode(server, port)
  try {
    await waitForAnswer(`${spawned.url}${server.path}`, { status: 200, child: spawned.child })
    return performance.now() - started
  } catch (error) {
    throw new Error(`${spawned.failure()}\n${(error as Error).message}`)
  } finally {
    await spawned.stop()
  }
}
