import { createCallbackUrls } from '../../relay/core/notify/callback-url'
import { startPostgres } from '../support/postgres'
import type { Builds } from './builds'
import { compared, type Figure } from './figures'
import { postAlone } from './live'
import { type ServerProcess, startServer } from './processes'
import { relayEnv } from './servers'
import { median } from './stats'
import { signInAll, startSyncRelay as startRelay, startWorld } from './sync-world'

// Item 14: the callback with the sync on, under a burst of `burst` notifications at once (each
// on a connection of its own, as Withings' senders; timed from its connection's start), for
// `people` connected people in turn, each a weighing of its own: the slowest answer, against a
// bare Hono server answering the same POSTs (fixtures/bare-sse.ts). The relay is npm start's
// bundle, with its database a Postgres server (how several instances run it), then the embedded
// PGlite (npm start's default, whose queries run in the relay's own thread): it answers first
// and records the hint after, and the catch-ups the burst makes (fetching, storing) run
// meanwhile. `rounds` bursts each, in turn, once the imports are told; the median round's slowest
// answer.

export interface BurstOptions {
  people: number
  burst: number
  rounds: number
}

const RATIO_LIMIT = 1.5
const SECRET = relayEnv('').RELAY_SECRET as string
const QUIET = { SYNC_HISTORY_DAYS: '2', SYNC_DETAIL_DAYS: '0' }
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

/** Waits until `count` stays the same for 2 s (60 s at most). */
async function quiet(count: () => number) {
  const deadline = Date.now() + 60_000
  let last = -1
  while (count() !== last && Date.now() < deadline) {
    last = count()
    await new Promise((resolve) => setTimeout(resolve, 2_000))
  }
}

export async function burstFigures(builds: Builds, options: BurstOptions): Promise<Figure[]> {
  const world = await startWorld(builds, { people: options.people })
  const postgres = await startPostgres()
  const servers: ServerProcess[] = []
  try {
    const served = await startRelay(builds, world, {
      ...QUIET,
      DATABASE_URL: await postgres.database('burst'),
    })
    const embedded = await startRelay(builds, world, QUIET)
    const bare = await startServer({ script: builds.bareSse, env: {}, readyPath: '/' })
    servers.push(served, embedded, bare)
    for (const relay of [served, embedded]) {
      world.receiver.forget()
      await signInAll(relay.url, world, world.people)
      await Promise.all(world.people.map((person) => world.receiver.completed(person.userid)))
    }
    // Bursts on relays at rest: the imports' last webhooks told (none for 2 s), so that the first
    // round does not also carry the end of the imports.
    await quiet(() => world.receiver.deliveries)
    const urls = createCallbackUrls('', [SECRET])
    const paths: string[] = []
    for (const person of world.people) paths.push(await urls.urlFor(String(person.userid)))

    let date = 1_700_000_000
    const burst = (url: (index: number) => string) => {
      const first = date
      date += options.burst
      return Promise.all(
        Array.from({ length: options.burst }, (_, i) => {
          const person = world.people[i % world.people.length]
          const form = new URLSearchParams({
            userid: String(person?.userid),
            appli: '1',
            startdate: String(first + i),
            enddate: String(first + i + 1),
          })
          return postAlone(url(i), FORM, form.toString())
        }),
      )
    }
    const targets = {
      bare: (i: number) => `${bare.url}/notify/${world.people[i % world.people.length]?.userid}`,
      served: (i: number) => `${served.url}${paths[i % paths.length]}`,
      embedded: (i: number) => `${embedded.url}${paths[i % paths.length]}`,
    }
    const slowest = { bare: [] as number[], served: [] as number[], embedded: [] as number[] }
    const medians = { bare: [] as number[], served: [] as number[], embedded: [] as number[] }
    for (let round = 0; round < options.rounds; round++) {
      for (const name of ['bare', 'served', 'embedded'] as const) {
        const answers = await burst(targets[name])
        slowest[name].push(Math.max(...answers))
        medians[name].push(median(answers))
        // The catch-ups it made run out before the next burst.
        if (name !== 'bare') await new Promise((resolve) => setTimeout(resolve, 3_000))
      }
    }
    const count = options.burst.toLocaleString('en-US')
    const reference = median(slowest.bare)
    const list = (values: number[]) => values.map((ms) => ms.toFixed(0)).join(', ')
    const figure = (id: string, of: 'served' | 'embedded', name: string, detail: string) =>
      compared(
        {
          id,
          name,
          unit: 'ms',
          value: median(slowest[of]),
          reference: { name: 'bare Hono server answering the same POSTs', value: reference },
          target: `≤ ${RATIO_LIMIT}×`,
          met: median(slowest[of]) <= RATIO_LIMIT * reference,
          method: `${count} notifications at once for ${options.people} connected people in turn, ${detail}, each on its own connection, timed from its connection's start; median of ${options.rounds} rounds' slowest (relay ${list(slowest[of])} ms; bare ${list(slowest.bare)} ms); median answer ${median(medians[of]).toFixed(1)} ms (bare ${median(medians.bare).toFixed(1)} ms)`,
        },
        { difference: { unit: 'ms', factor: 1 } },
      )
    return [
      figure(
        '14a',
        'served',
        `Callback's slowest answer with the sync on, burst of ${count}`,
        'the sync on a Postgres server',
      ),
      figure(
        '14b',
        'embedded',
        `The same, the sync on the embedded PGlite`,
        "the sync on the embedded PGlite (npm start's default)",
      ),
    ]
  } finally {
    await Promise.all(servers.map((server) => server.stop()))
    await postgres.stop()
    await world.close()
  }
}
