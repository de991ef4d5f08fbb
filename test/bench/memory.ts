import { join } from 'node:path'
import { SHARE_MS } from '../../relay/core/session/shared-refresh'
import { type Builds, ROOT } from './builds'
import { compared, type Figure } from './figures'
import { createHttpClient, type HttpClient } from './http-client'
import { runCount } from './load'
import { residentBytes, type ServerProcess } from './processes'
import { startEmulator, startPassThrough, startRelay } from './servers'
import { proxyClients, relayClients } from './sessions'

// Item 6: the built relay as its own process, three blocks of refreshes at full speed (each
// virtual client rotating its own session), its resident set read from /proc/<pid>/status after
// each block: first as it is, then after a full garbage collection (SIGUSR2 to a preload that
// calls gc(); the relay itself has no debug route). The bare pass-through proxy takes the same
// load, in its own process, as the reference.

export interface MemoryOptions {
  /** Refreshes per block; three blocks are run. */
  block: number
  concurrency: number
}

const LIMIT_MB = 80
/** "No growth": within one megabyte, the size of a few of V8's pages. */
const GROWTH_LIMIT_MB = 1
export const GC_ON_SIGNAL = [
  '--expose-gc',
  '--require',
  join(ROOT, 'test/bench/fixtures/gc-on-signal.cjs'),
]

const MB = (bytes: number) => bytes / 1_000_000

interface Readings {
  /** RSS after each block, as the process left it. */
  running: number[]
  /** RSS after each block and a full collection. */
  collected: number[]
  /** V8's heap in use after each block and a full collection: what a leak would grow. */
  liveHeap: number[]
}

export async function relayMemory(builds: Builds, options: MemoryOptions): Promise<Figure[]> {
  const emulator = await startEmulator(builds, { accessTokenSeconds: 1 })
  try {
    const ofRelay = await measure(
      () => startRelay(builds, emulator.url, GC_ON_SIGNAL),
      (http) => relayClients(http, emulator.url, options.concurrency),
      options,
    )
    const ofProxy = await measure(
      () => startPassThrough(builds, emulator.url, GC_ON_SIGNAL),
      (http) => proxyClients(http, emulator.url, options.concurrency),
      options,
    )
    const count = (blocks: number) => (blocks * options.block).toLocaleString('en-US')
    const growth = (series: number[]) => MB((series[2] ?? 0) - (series[1] ?? 0))
    const method = `${options.concurrency} sessions refreshing without pause`
    return [
      compared({
        id: '6a',
        name: `Relay RSS after ${count(2)} refreshes`,
        unit: 'MB',
        value: MB(ofRelay.running[1] ?? 0),
        reference: { name: 'bare Hono pass-through proxy', value: MB(ofProxy.running[1] ?? 0) },
        target: `≤ ${LIMIT_MB} MB`,
        met: MB(ofRelay.running[1] ?? 0) <= LIMIT_MB,
        method: `${method}; after each ${count(1)}: ${list(ofRelay.running)} MB (proxy ${list(ofProxy.running)} MB)`,
      }),
      compared(
        {
          id: '6b',
          name: `RSS growth, refreshes ${count(2)} → ${count(3)}`,
          unit: 'MB',
          value: growth(ofRelay.collected),
          reference: { name: 'bare Hono pass-through proxy', value: growth(ofProxy.collected) },
          target: `≤ ${GROWTH_LIMIT_MB} MB`,
          met: growth(ofRelay.collected) <= GROWTH_LIMIT_MB,
          method: `RSS after a full collection at the end of each ${count(1)}: ${list(ofRelay.collected)} MB (proxy ${list(ofProxy.collected)} MB)`,
        },
        { ratio: false },
      ),
      compared(
        {
          id: '6c',
          name: `Live JS heap growth, refreshes ${count(2)} → ${count(3)}`,
          unit: 'MB',
          value: growth(ofRelay.liveHeap),
          reference: { name: 'bare Hono pass-through proxy', value: growth(ofProxy.liveHeap) },
          target: `≤ ${GROWTH_LIMIT_MB} MB`,
          met: growth(ofRelay.liveHeap) <= GROWTH_LIMIT_MB,
          method: `V8's heap in use after a full collection: ${list(ofRelay.liveHeap)} MB (proxy ${list(ofProxy.liveHeap)} MB); a leak grows this, V8 keeping pages grows only RSS`,
        },
        { ratio: false },
      ),
    ]
  } finally {
    await emulator.stop()
  }
}

/** One server, in a process of its own for its whole measurement, under its clients' load. */
async function measure(
  start: () => Promise<ServerProcess>,
  makeClients: (http: HttpClient) => Promise<(() => Promise<void>)[]>,
  { concurrency, block }: MemoryOptions,
): Promise<Readings> {
  const server = await start()
  const http = createHttpClient(server.url, { connections: concurrency })
  try {
    return await readBlocks(server, await makeClients(http), block)
  } finally {
    http.close()
    await server.stop()
  }
}

async function readBlocks(
  server: ServerProcess,
  refreshers: (() => Promise<void>)[],
  block: number,
): Promise<Readings> {
  const readings: Readings = { running: [], collected: [], liveHeap: [] }
  for (let i = 0; i < 3; i++) {
    // Each block starts after the relay's shared refreshes of the last one have expired, so
    // every reading holds one block's worth of them (rate × 10 s at most, by design).
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, SHARE_MS + 500))
    await runCount(refreshers, block)
    readings.running.push(residentBytes(server.pid))
    readings.liveHeap.push(await collectGarbage(server))
    readings.collected.push(residentBytes(server.pid))
  }
  return readings
}

/** Signals the preload to collect; resolves with the live heap it reports. */
export async function collectGarbage(server: ServerProcess): Promise<number> {
  const reports = () => server.stderr().match(/heap-used \d+/g)?.length ?? 0
  const before = reports()
  process.kill(server.pid, 'SIGUSR2')
  const deadline = performance.now() + 5_000
  while (reports() === before) {
    if (performance.now() > deadline) throw new Error('the server did not report its heap')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
  return Number(/heap-used (\d+)\n?$/.exec(server.stderr().trimEnd())?.[1])
}

const list = (values: number[]) => values.map((bytes) => MB(bytes).toFixed(1)).join(', ')
