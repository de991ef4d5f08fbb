import { join } from 'node:path'
import type { HostBuilds } from '../hosts/host-builds'
import { selectedRuntimes } from '../hosts/runtimes'
import { type Served, serveOn } from '../hosts/serve-on'
import type { Builds } from './builds'
import { createHttpClient, type HttpClient } from './http-client'
import { openPages, sessionCookies } from './live'
import { runFor } from './load'
import { residentBytes } from './processes'
import { relayEnv, startEmulator } from './servers'
import {
  exchangeAtRelay,
  exchangeDirectly,
  mintCode,
  type PreparedExchange,
  prepareRelayExchange,
  proxyClients,
  relayClients,
} from './sessions'
import { median } from './stats'

// Item 9: the relay on every runtime of test/hosts (npm start's bundle on each Node, deploy/'s
// recipes on Bun, Deno and workerd), side by side in one run against one emulator, each against
// the bare pass-through proxy (fixtures/pass-through-app.ts) served by the same runtime:
// - start-up: spawn to the first 200 on /api/healthz;
// - the code exchange through the relay against the same token request through the proxy, one
//   request in flight, samples in turn (codes and bound states minted untimed, just before);
// - refreshes per second at a fixed concurrency (tokens of one second, each client rotating its
//   own session), rounds alternating between relay and proxy;
// - resident memory per open live stream, at the margin: with half of `streams` open (one person
//   each; the code paths warm, the runtime's heap grown to hold them), RSS before and after
//   opening the other half, 1 s after each, as no runtime but Node can be told to collect.
// TEST_RUNTIMES picks the runtimes (all by default).

export interface HostsOptions {
  spawns: number
  exchanges: number
  warmup: number
  concurrency: number
  rounds: number
  roundMs: number
  streams: number
}

export interface HostRow {
  runtime: string
  startupMs: number
  exchange: { relayMs: number; proxyMs: number }
  refreshes: { relay: number; proxy: number }
  perStreamKb: number
}

const BATCH = 25
const SETTLE_MS = 1_000

export async function hostFigures(
  builds: Builds,
  hostBuilds: HostBuilds,
  options: HostsOptions,
): Promise<HostRow[]> {
  const emulator = await startEmulator(builds, { accessTokenSeconds: 1 })
  const env = (apiUrl: string) => ({
    ...relayEnv(apiUrl),
    STATIC_DIR: join(hostBuilds.dir, 'no-spa'),
  })
  const rows: HostRow[] = []
  try {
    for (const runtime of selectedRuntimes(process.env.TEST_RUNTIMES || 'all')) {
      console.log(`  ${runtime.name}…`)
      const spawn = (apiUrl: string) =>
        serveOn({ runtime, program: 'relay', builds: hostBuilds, env: env(apiUrl) })
      const startups: number[] = []
      let perStreamKb = 0
      for (let count = 0; count <= options.spawns; count++) {
        // Withings is not called: only the start is timed, and the streams need none.
        const started = await spawn('http://127.0.0.1:9')
        // The first spawn warms the file cache; the last, just started, holds the live streams.
        if (count > 0) startups.push(started.startupMs)
        if (count === options.spawns) {
          perStreamKb = await memoryPerStream(started, options.streams)
        }
        await started.stop()
      }
      const relay = await spawn(emulator.url)
      const proxy = await serveOn({
        runtime,
        program: 'passThrough',
        builds: hostBuilds,
        env: { UPSTREAM_URL: emulator.url },
        readyPath: '/',
      })
      try {
        rows.push({
          runtime: runtime.name,
          startupMs: median(startups),
          exchange: await exchanges(relay, proxy, emulator.url, options),
          refreshes: await refreshes(relay, proxy, emulator.url, options),
          perStreamKb,
        })
      } finally {
        await Promise.all([relay.stop(), proxy.stop()])
      }
    }
    return rows
  } finally {
    await emulator.stop()
  }
}

async function exchanges(relay: Served, proxy: Served, emulatorUrl: string, options: HostsOptions) {
  const http = { relay: createHttpClient(relay.url), proxy: createHttpClient(proxy.url) }
  const samples = { relay: [] as number[], proxy: [] as number[] }
  try {
    let taken = 0
    while (taken < options.warmup + options.exchanges) {
      const size = Math.min(BATCH, options.warmup + options.exchanges - taken)
      const batch: { prepared: PreparedExchange; code: string }[] = []
      for (let i = 0; i < size; i++) {
        batch.push({
          prepared: await prepareRelayExchange(http.relay, emulatorUrl),
          code: await mintCode(emulatorUrl),
        })
      }
      for (const { prepared, code } of batch) {
        const send = {
          relay: () => exchangeAtRelay(http.relay, prepared),
          proxy: () => exchangeDirectly(http.proxy, code),
        }
        // Taking turns at going first, so that neither always meets the other's leftovers.
        const order =
          taken % 2 === 0 ? (['relay', 'proxy'] as const) : (['proxy', 'relay'] as const)
        for (const side of order) {
          const started = performance.now()
          await send[side]()
          if (taken >= options.warmup) samples[side].push(performance.now() - started)
        }
        taken++
      }
    }
    return { relayMs: median(samples.relay), proxyMs: median(samples.proxy) }
  } finally {
    http.relay.close()
    http.proxy.close()
  }
}

async function refreshes(relay: Served, proxy: Served, emulatorUrl: string, options: HostsOptions) {
  const { concurrency, rounds, roundMs } = options
  const http: Record<'relay' | 'proxy', HttpClient> = {
    relay: createHttpClient(relay.url, { connections: concurrency }),
    proxy: createHttpClient(proxy.url, { connections: concurrency }),
  }
  try {
    const clients = {
      relay: await relayClients(http.relay, emulatorUrl, concurrency),
      proxy: await proxyClients(http.proxy, emulatorUrl, concurrency),
    }
    await runFor(clients.relay, roundMs)
    await runFor(clients.proxy, roundMs)
    const rates = { relay: [] as number[], proxy: [] as number[] }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['relay', 'proxy'] as const) : (['proxy', 'relay'] as const)
      for (const side of order) rates[side].push((await runFor(clients[side], roundMs)).perSecond)
    }
    return { relay: median(rates.relay), proxy: median(rates.proxy) }
  } finally {
    http.relay.close()
    http.proxy.close()
  }
}

async function memoryPerStream(relay: Served, streams: number): Promise<number> {
  const half = Math.floor(streams / 2)
  const cookies = await sessionCookies(2 * half)
  const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
  const open = (from: number) =>
    openPages(
      half,
      () => `${relay.url}/api/events`,
      (i) => cookies[from + i] ?? '',
    )
  const first = await open(0)
  try {
    await settle()
    const before = residentBytes(relay.pid)
    const second = await open(half)
    await settle()
    second.close()
    return (residentBytes(relay.pid) - before) / half / 1000
  } finally {
    first.close()
  }
}

const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(0)}`

export function hostsTable(rows: readonly HostRow[]): string[][] {
  const ms = (value: number) => `${value.toFixed(2)} ms`
  return [
    [
      'runtime',
      'start-up',
      'exchange: relay',
      'exchange: bare proxy',
      'added',
      'refreshes/s: relay',
      'refreshes/s: bare proxy',
      'ratio',
      'memory per open stream',
    ],
    ...rows.map((row) => [
      row.runtime,
      `${row.startupMs.toFixed(0)} ms`,
      ms(row.exchange.relayMs),
      ms(row.exchange.proxyMs),
      `${signed((row.exchange.relayMs - row.exchange.proxyMs) * 1000)} µs`,
      row.refreshes.relay.toFixed(0),
      row.refreshes.proxy.toFixed(0),
      `${(row.refreshes.relay / row.refreshes.proxy).toFixed(2)}×`,
      `${row.perStreamKb.toFixed(1)} kB`,
    ]),
  ]
}
