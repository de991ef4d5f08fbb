import type { Builds } from './builds'
import { compared, type Figure } from './figures'
import { createHttpClient, type HttpClient } from './http-client'
import { startEmulator, startPassThrough, startRelay } from './servers'
import {
  exchangeAtRelay,
  exchangeDirectly,
  mintCode,
  type PreparedExchange,
  prepareRelayExchange,
} from './sessions'
import { median } from './stats'

// Item 1: `POST /api/auth/token` through the relay against the same token request sent straight
// to the emulator, one request in flight. For context the same request also goes through the
// bare Hono pass-through proxy: what one Hono hop costs on this machine. Samples are taken in
// rounds of the three, in rotating order, so drift in the machine's load hits all alike. Each
// batch of codes and bound states is minted just before it is timed (codes live 30 s), outside
// the timing.

export interface ExchangeOptions {
  /** Timed rounds per condition, after `warmup` rounds that are thrown away. */
  samples: number
  warmup: number
}

const BATCH = 25
const PATHS = ['relay', 'direct', 'proxy'] as const
type Path = (typeof PATHS)[number]

export async function exchangeOverhead(
  builds: Builds,
  options: ExchangeOptions,
): Promise<Figure[]> {
  const emulator = await startEmulator(builds)
  const relay = await startRelay(builds, emulator.url)
  const proxy = await startPassThrough(builds, emulator.url)
  const http = {
    relay: createHttpClient(relay.url),
    direct: createHttpClient(emulator.url),
    proxy: createHttpClient(proxy.url),
  }
  try {
    const figures: Figure[] = []
    for (const [id, delayMs, target] of [
      ['1a', 20, 1.05],
      ['1b', 0, 3],
    ] as const) {
      await setTokenDelay(http.direct, delayMs)
      const samples = await interleaved(http, emulator.url, options)
      const ms = (path: Path) => median(samples[path])
      const ratio = ms('relay') / ms('direct')
      const hop = `${ms('proxy').toFixed(2)} ms through the bare Hono pass-through proxy (+${((ms('proxy') - ms('direct')) * 1000).toFixed(0)} µs)`
      figures.push(
        compared(
          {
            id,
            name: `Code exchange, Withings answering ${delayMs ? `in ${delayMs} ms` : 'at once'}`,
            unit: 'ms',
            value: ms('relay'),
            reference: { name: 'straight to Withings', value: ms('direct') },
            target: `≤ ${target}×`,
            met: ratio <= target,
            method: `median of ${options.samples} interleaved samples each after ${options.warmup} warm-up ones; ${hop}`,
          },
          { difference: { unit: 'µs', factor: 1000 } },
        ),
      )
    }
    return figures
  } finally {
    for (const client of Object.values(http)) client.close()
    await Promise.all([relay.stop(), proxy.stop()])
    await emulator.stop()
  }
}

async function interleaved(
  http: Record<Path, HttpClient>,
  emulatorUrl: string,
  { samples: count, warmup }: ExchangeOptions,
) {
  const samples: Record<Path, number[]> = { relay: [], direct: [], proxy: [] }
  let taken = 0
  while (taken < warmup + count) {
    const size = Math.min(BATCH, warmup + count - taken)
    const batch: { prepared: PreparedExchange; direct: string; proxy: string }[] = []
    for (let i = 0; i < size; i++) {
      batch.push({
        prepared: await prepareRelayExchange(http.relay, emulatorUrl),
        direct: await mintCode(emulatorUrl),
        proxy: await mintCode(emulatorUrl),
      })
    }
    for (const codes of batch) {
      const send: Record<Path, () => Promise<unknown>> = {
        relay: () => exchangeAtRelay(http.relay, codes.prepared),
        direct: () => exchangeDirectly(http.direct, codes.direct),
        proxy: () => exchangeDirectly(http.proxy, codes.proxy),
      }
      // Rotate which goes first, so none always meets the others' leftovers.
      for (let k = 0; k < PATHS.length; k++) {
        const path = PATHS[(taken + k) % PATHS.length] as Path
        const started = performance.now()
        await send[path]()
        if (taken >= warmup) samples[path].push(performance.now() - started)
      }
      taken++
    }
  }
  return samples
}

/** Every token answer of the emulator waits `ms` first (none when 0): its control API. */
async function setTokenDelay(emulator: HttpClient, ms: number): Promise<void> {
  await emulator.send('/_emulator/faults', { method: 'DELETE' })
  if (ms === 0) return
  const armed = await emulator.send('/_emulator/faults', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fault: { type: 'delay', ms }, on: 'token' }),
  })
  if (armed.status !== 201) throw new Error(`could not arm the delay: ${armed.body}`)
}
