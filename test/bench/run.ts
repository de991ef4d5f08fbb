// `npm run bench`: every performance figure against its reference, printed and written to
// BENCHMARKS.md (from BENCHMARKS.json, which keeps every item's last figures). Naming items
// (`exchange throughput startup spa callback memory reload live hosts`) runs only those, and
// replaces only their figures; `--quick` runs small, bounded passes and writes nothing. The
// sync's items (10–15: `backfill budget webhooks store burst sync-memory`) start Debian's
// Postgres and Redis as the tests do.

import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildHosts } from '../hosts/host-builds'
import { installRuntimes } from '../hosts/install-runtimes'
import { ARTIFACTS, buildServers, ROOT } from './builds'
import { callbackToToken } from './callback'
import { exchangeOverhead } from './exchange'
import type { Figure } from './figures'
import { type HostRow, hostFigures, hostsTable } from './hosts'
import { liveNotifications } from './live'
import { describeMachine, describeVersions, loadAverage } from './machine'
import { relayMemory } from './memory'
import { reloadCost } from './reload'
import { markdown, plainTable, terminalTable } from './report'
import { loadResults, mergeResults, type Results, saveResults } from './results'
import { spaFigures } from './spa'
import { measureSpa } from './spa-size'
import { startupTime } from './startup'
import { backfillFigures } from './sync-backfill'
import { budgetFigures } from './sync-budget'
import { burstFigures } from './sync-burst'
import { syncMemoryFigures } from './sync-memory'
import { storeFigures } from './sync-store'
import { webhookFigures } from './sync-webhooks'
import { refreshThroughput } from './throughput'

const FULL = {
  exchange: { samples: 300, warmup: 30 },
  throughput: { concurrency: 50, rounds: 6, roundMs: 3_000 },
  startup: { spawns: 15, warmup: 2 },
  callback: { runs: 20, warmup: 2 },
  memory: { block: 5_000, concurrency: 50 },
  reload: { loads: 50 },
  live: { streams: 1_000, samples: 300, burst: 1_000 },
  hosts: {
    spawns: 7,
    exchanges: 100,
    warmup: 20,
    concurrency: 20,
    rounds: 4,
    roundMs: 1_500,
    streams: 1_000,
  },
  backfill: { rounds: 5 },
  budget: { people: 200, perMinute: 1_000, windowMs: 120_000, samples: 100 },
  webhooks: { people: 30, samples: 200 },
  store: { views: 100 },
  burst: { people: 50, burst: 1_000, rounds: 3 },
  'sync-memory': { people: 1_000, block: 5_000, concurrency: 20 },
}
const QUICK: typeof FULL = {
  exchange: { samples: 40, warmup: 10 },
  throughput: { concurrency: 50, rounds: 2, roundMs: 1_500 },
  startup: { spawns: 5, warmup: 1 },
  callback: { runs: 5, warmup: 1 },
  memory: { block: 1_000, concurrency: 50 },
  reload: { loads: 10 },
  live: { streams: 200, samples: 30, burst: 200 },
  hosts: {
    spawns: 2,
    exchanges: 20,
    warmup: 5,
    concurrency: 10,
    rounds: 2,
    roundMs: 500,
    streams: 100,
  },
  backfill: { rounds: 1 },
  budget: { people: 20, perMinute: 300, windowMs: 60_000, samples: 30 },
  webhooks: { people: 10, samples: 30 },
  store: { views: 10 },
  burst: { people: 10, burst: 200, rounds: 1 },
  'sync-memory': { people: 50, block: 500, concurrency: 10 },
}
const ITEMS = [
  'exchange',
  'throughput',
  'startup',
  'spa',
  'callback',
  'memory',
  'reload',
  'live',
  'hosts',
  'backfill',
  'budget',
  'webhooks',
  'store',
  'burst',
  'sync-memory',
]

const args = process.argv.slice(2)
const quick = args.includes('--quick')
const only = args.filter((arg) => !arg.startsWith('--'))
const unknown = only.filter((item) => !ITEMS.includes(item))
if (unknown.length > 0)
  throw new Error(`unknown items ${unknown.join(', ')}; known: ${ITEMS.join(', ')}`)
const wants = (item: string) => only.length === 0 || only.includes(item)
const size = quick ? QUICK : FULL

const startedAt = new Date()
const loadBefore = loadAverage()
const machine = describeMachine()
const versions = describeVersions()
console.log(
  `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; load ${loadBefore.toFixed(2)}`,
)

console.log('building the relay, the reference servers and the emulator…')
const builds = await buildServers()
const measured = { at: startedAt.toISOString(), cpu: machine.cpu, load: loadBefore }
const figures: Results['figures'] = []
const step = async (item: string, measure: () => Promise<Figure | Figure[]>) => {
  if (!wants(item)) return
  console.log(`measuring ${item}…`)
  for (const figure of [await measure()].flat()) figures.push({ ...figure, item, ...measured })
}

await step('exchange', () => exchangeOverhead(builds, size.exchange))
await step('throughput', () => refreshThroughput(builds, size.throughput))
await step('startup', () => startupTime(builds, size.startup))
const spaDir = join(ARTIFACTS, 'spa')
if (wants('spa') || wants('callback')) {
  const sizes = await measureSpa(spaDir)
  await step('spa', async () => spaFigures(sizes))
}
await step('callback', () => callbackToToken({ staticRoot: spaDir, ...size.callback }))
await step('memory', () => relayMemory(builds, size.memory))
await step('reload', () => reloadCost(builds, size.reload))
await step('live', () => liveNotifications(builds, size.live))
await step('backfill', () => backfillFigures(builds, size.backfill))
await step('budget', () => budgetFigures(builds, size.budget))
await step('webhooks', () => webhookFigures(builds, size.webhooks))
await step('store', () => storeFigures(builds, size.store))
await step('burst', () => burstFigures(builds, size.burst))
await step('sync-memory', () => syncMemoryFigures(builds, size['sync-memory']))
let hosts: HostRow[] | undefined
if (wants('hosts')) {
  console.log('measuring hosts…')
  installRuntimes()
  hosts = await hostFigures(builds, await buildHosts(join(ARTIFACTS, 'hosts')), size.hosts)
}

console.log(`\n${terminalTable(figures)}\n`)
for (const figure of figures) console.log(`${figure.id}: ${figure.method}`)
if (hosts) console.log(`\n${plainTable(hostsTable(hosts))}\n`)

if (!quick) {
  const run: Results = {
    machine,
    versions,
    figures,
    ...(hosts && { hosts: { ...measured, rows: hosts } }),
  }
  const results = mergeResults(loadResults(), run, only.length === 0 ? ITEMS : only)
  saveResults(results)
  writeFileSync(join(ROOT, 'BENCHMARKS.md'), markdown(results))
  const seconds = Math.round((Date.now() - startedAt.getTime()) / 1000)
  console.log(`\nwritten to BENCHMARKS.md (and BENCHMARKS.json), in ${seconds} s`)
}
