import { startPostgres } from '../support/postgres'
import type { Builds } from './builds'
import { compared, type Figure } from './figures'
import { createHttpClient, type HttpClient } from './http-client'
import { exchangeAtRelay, type PreparedExchange, prepareRelayExchange } from './sessions'
import { percentile } from './stats'
import { signIn, startSyncRelay, startWorld, type World } from './sync-world'

// Item 11: 200 people connect at once to one relay (npm start's bundle, the sync on a Postgres
// server) under a small WITHINGS_CALLS_PER_MINUTE: 200 imports of a year each, far more calls
// than the budget allows for minutes. (a) The calls the relay made to Withings in the first
// `windowMs` after they connected, against four fifths of the budget in that time: the calls no
// person waits for (the imports', the subscriptions') are made while the whole is under four
// fifths, the last fifth being kept for sign-ins and pages (docs/security.md). Counted by the
// emulator, in a process of its own. (b) A sign-in's code
// exchange meanwhile, one every `windowMs / samples` by the demo person, against the same
// exchange on the same relay idle before, p99 of each.

export interface BudgetOptions {
  people: number
  perMinute: number
  windowMs: number
  samples: number
}

const USE_LIMIT = 0.9
const LATENCY_RATIO_LIMIT = 1.2
const BACKGROUND_SHARE = 4 / 5
const DEMO = 363

export async function budgetFigures(builds: Builds, options: BudgetOptions): Promise<Figure[]> {
  const world = await startWorld(builds, { people: options.people })
  const postgres = await startPostgres()
  const relay = await startSyncRelay(builds, world, {
    DATABASE_URL: await postgres.database('budget'),
    WITHINGS_CALLS_PER_MINUTE: String(options.perMinute),
  })
  const http = createHttpClient(relay.url, { connections: 50 })
  try {
    // The demo person connected, imported: their sign-ins are what is timed.
    await signIn(http, world, 'demo')
    await world.receiver.completed(DEMO)
    const pace = options.windowMs / options.samples
    const idle = await exchanges(http, world, options.samples, pace)

    // Everyone's code at hand first (consent is not timed), then every exchange at once.
    const prepared = await Promise.all(
      world.people.map((person) => prepareRelayExchange(http, world.emulatorUrl, person)),
    )
    await Promise.all(prepared.map((exchange) => exchangeAtRelay(http, exchange)))
    const from = Date.now()
    const busy = await exchanges(http, world, options.samples, pace)
    const to = from + options.windowMs
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, to - Date.now())))

    const calls = (await world.requests()).filter((entry) => entry.at >= from && entry.at < to)
    const allowed = options.perMinute * BACKGROUND_SHARE * (options.windowMs / 60_000)
    const made = calls.length
    const data = calls.filter((entry) => entry.route === 'data').length
    const notify = calls.filter((entry) => entry.route === 'notify').length
    const seconds = options.windowMs / 1000
    const p99 = { idle: percentile(idle, 0.99), busy: percentile(busy, 0.99) }
    return [
      compared({
        id: '11a',
        name: `Budget used while ${options.people} people's imports run`,
        unit: 'calls',
        value: made,
        reference: {
          name: `four fifths of the budget in ${seconds} s (the last fifth kept for people)`,
          value: allowed,
        },
        target: `≥ ${USE_LIMIT * 100} %`,
        met: made >= USE_LIMIT * allowed,
        method: `${options.people} sign-ins at once, WITHINGS_CALLS_PER_MINUTE=${options.perMinute}: imports and subscriptions call Withings while the whole budget is under four fifths (${allowed.toFixed(0)} calls in ${seconds} s); every call counted by the emulator in the ${seconds} s after they connected: ${data} data calls, ${notify} notification calls, ${made - data - notify} sign-ins and refreshes`,
      }),
      compared(
        {
          id: '11b',
          name: `Sign-in's code exchange, p99, during ${options.people} imports`,
          unit: 'ms',
          value: p99.busy,
          reference: { name: 'the same relay idle', value: p99.idle },
          target: `≤ ${LATENCY_RATIO_LIMIT}×`,
          met: p99.busy <= LATENCY_RATIO_LIMIT * p99.idle,
          method: `${options.samples} exchanges each (the demo person signing in again, one every ${pace.toFixed(0)} ms, consent untimed): POST /api/auth/token to its answer; the slowest ${Math.max(...busy).toFixed(1)} ms busy, ${Math.max(...idle).toFixed(1)} ms idle`,
        },
        { difference: { unit: 'ms', factor: 1 } },
      ),
    ]
  } finally {
    http.close()
    await relay.stop()
    await postgres.stop()
    await world.close()
  }
}

/** `count` sign-ins of the demo person, one every `pace` ms; each exchange's time. */
async function exchanges(http: HttpClient, world: World, count: number, pace: number) {
  const times: number[] = []
  for (let i = 0; i < count; i++) {
    const next = performance.now() + pace
    const prepared: PreparedExchange = await prepareRelayExchange(http, world.emulatorUrl)
    const started = performance.now()
    await exchangeAtRelay(http, prepared)
    times.push(performance.now() - started)
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())))
  }
  return times
}
