import type { Builds } from './builds'
import { compared, type Figure } from './figures'
import { createHttpClient } from './http-client'
import { runFor } from './load'
import { cpuSeconds } from './processes'
import { startEmulator, startPassThrough, startRelay } from './servers'
import { proxyClients, relayClients } from './sessions'
import { median } from './stats'

// Item 2: refreshes per second through the relay (unseal, Withings, seal) against a bare Hono
// pass-through proxy forwarding the same form-encoded refresh to the same emulator. Access tokens
// live one second, so every restore of a session is due for a refresh. Each virtual client has
// its own session and rotates it, so nothing is answered from the relay's 10-second share. Rounds alternate between the two, so the machine's drift hits both.

export interface ThroughputOptions {
  concurrency: number
  rounds: number
  roundMs: number
}

const TARGET = 0.8

export async function refreshThroughput(
  builds: Builds,
  { concurrency, rounds, roundMs }: ThroughputOptions,
): Promise<Figure> {
  const emulator = await startEmulator(builds, { accessTokenSeconds: 1 })
  const relay = await startRelay(builds, emulator.url)
  const proxy = await startPassThrough(builds, emulator.url)
  const relayHttp = createHttpClient(relay.url, { connections: concurrency })
  const proxyHttp = createHttpClient(proxy.url, { connections: concurrency })
  try {
    const viaRelay = await relayClients(relayHttp, emulator.url, concurrency)
    const viaProxy = await proxyClients(proxyHttp, emulator.url, concurrency)
    // Warm-up: connections opened, code paths optimised, on both sides.
    await runFor(viaRelay, roundMs)
    await runFor(viaProxy, roundMs)
    const rates = { relay: [] as number[], proxy: [] as number[] }
    const cpu = { relay: [] as number[], proxy: [] as number[] }
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (['relay', 'proxy'] as const) : (['proxy', 'relay'] as const)
      for (const side of order) {
        const pid = side === 'relay' ? relay.pid : proxy.pid
        const before = cpuSeconds(pid)
        const result = await runFor(side === 'relay' ? viaRelay : viaProxy, roundMs)
        rates[side].push(result.perSecond)
        cpu[side].push(((cpuSeconds(pid) - before) * 1e6) / result.completed)
      }
    }
    const ratio = median(rates.relay) / median(rates.proxy)
    const cpuText = `${median(cpu.relay).toFixed(0)} µs of CPU a refresh in the relay's process, ${median(cpu.proxy).toFixed(0)} µs in the proxy's`
    return compared({
      id: '2',
      name: `Refreshes per second at concurrency ${concurrency}`,
      unit: 'req/s',
      value: median(rates.relay),
      reference: { name: 'bare Hono pass-through proxy', value: median(rates.proxy) },
      target: `≥ ${TARGET}×`,
      met: ratio >= TARGET,
      method: `median of ${rounds} alternating rounds of ${roundMs / 1000} s after a warm-up round each, ${concurrency} sessions each rotating its own cookie; ${cpuText}`,
    })
  } finally {
    relayHttp.close()
    proxyHttp.close()
    await Promise.all([relay.stop(), proxy.stop()])
    await emulator.stop()
  }
}
