import { createCallbackUrls } from '../../relay/core/notify/callback-url'
import { startPostgres } from '../support/postgres'
import { startRedis } from '../support/redis'
import type { Builds } from './builds'
import { compared, type Figure } from './figures'
import { createHttpClient, type HttpClient } from './http-client'
import { type ServerProcess, startServer } from './processes'
import { relayEnv } from './servers'
import { mintCode, tokensDirectly } from './sessions'
import { median, percentile } from './stats'
import { signInAll, startSyncRelay, startWorld, WEBHOOK_SECRET, type World } from './sync-world'

// Item 12: a weighing's way from Withings' notification to the app's webhook receiver: the POST
// to the callback until the receiver has the delivery that carries the new measure group.
// Through one relay (npm start's bundle: the embedded PGlite, the store in memory), and through
// two instances sharing Debian's Postgres and Redis (the notification to A; the job runs on
// whichever claims it), each against a bare Hono server doing the same fetch, write and signed
// POST without a queue, an outbox or a lock (fixtures/bare-webhook.ts, on the same Postgres).
// The three take turns, sample by sample, each weighing of a person picked in turn (Withings'
// same-arguments rule makes a catch-up of one person within 10 s ask from a second earlier).

export interface WebhookOptions {
  people: number
  samples: number
}

const P50_LIMIT_MS = 50
const P99_LIMIT_MS = 200
const BARE_RATIO_LIMIT = 2
const SECRET = relayEnv('').RELAY_SECRET as string
const QUIET = { SYNC_HISTORY_DAYS: '2', SYNC_DETAIL_DAYS: '0' }

export async function webhookFigures(builds: Builds, options: WebhookOptions): Promise<Figure[]> {
  const world = await startWorld(builds, { people: options.people })
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()])
  const servers: ServerProcess[] = []
  const clients: HttpClient[] = []
  try {
    const pair = { DATABASE_URL: await postgres.database('pair'), REDIS_URL: redis.url, ...QUIET }
    const single = await startSyncRelay(builds, world, QUIET)
    const a = await startSyncRelay(builds, world, pair)
    const b = await startSyncRelay(builds, world, pair)
    const bare = await startServer({
      script: builds.bareWebhook,
      env: {
        DATABASE_URL: await postgres.database('bare'),
        API_URL: world.emulatorUrl,
        WEBHOOK_URL: world.receiver.url,
        WEBHOOK_SECRET,
      },
      readyPath: '/',
      status: 200,
    })
    servers.push(single, a, b, bare)
    // Everyone connected and imported on each relay; the bare server handed their tokens.
    for (const relay of [single, a]) {
      world.receiver.forget()
      await signInAll(relay.url, world, world.people)
      await Promise.all(world.people.map((person) => world.receiver.completed(person.userid)))
    }
    await handTokens(world, bare.url)

    const urls = createCallbackUrls('', [SECRET])
    const paths = new Map<number, string>()
    for (const person of world.people)
      paths.set(person.userid, await urls.urlFor(String(person.userid)))
    const targets = {
      bare: { http: createHttpClient(bare.url), path: () => '/notify' },
      single: {
        http: createHttpClient(single.url),
        path: (userid: number) => paths.get(userid) ?? '',
      },
      pair: { http: createHttpClient(a.url), path: (userid: number) => paths.get(userid) ?? '' },
    }
    clients.push(...Object.values(targets).map((target) => target.http))
    const latencies = { bare: [] as number[], single: [] as number[], pair: [] as number[] }
    let date = 1_700_000_000
    for (let sample = 0; sample < options.samples; sample++) {
      const person = world.people[sample % world.people.length]
      if (!person) break
      for (const name of ['bare', 'single', 'pair'] as const) {
        const grpid = await world.weighing(person.userid, 60 + (sample % 40) / 2)
        const arrived = world.receiver.group(grpid)
        const form = new URLSearchParams({
          userid: String(person.userid),
          appli: '1',
          startdate: String(date),
          enddate: String(++date),
        }).toString()
        const started = performance.now()
        const answer = await targets[name].http.send(targets[name].path(person.userid), {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form,
        })
        if (answer.status !== 200)
          throw new Error(`${name} answered a notification ${answer.status}`)
        latencies[name].push((await arrived) - started)
      }
    }
    const samples = `${options.samples} weighings, each notified to one server in turn, a person of ${options.people} picked in turn; from the POST to the callback to the delivery at the receiver`
    const figure = (
      id: string,
      name: string,
      of: 'single' | 'pair',
      p: number,
      limit: number,
      method: string,
    ) => {
      const value = percentile(latencies[of], p)
      const reference = percentile(latencies.bare, p)
      return compared(
        {
          id,
          name,
          unit: 'ms',
          value,
          reference: { name: 'bare Hono server: the same fetch, write and POST', value: reference },
          target: p === 0.5 ? `≤ ${limit} ms and ≤ ${BARE_RATIO_LIMIT}×` : `≤ ${limit} ms`,
          met: value <= limit && (p !== 0.5 || value <= BARE_RATIO_LIMIT * reference),
          method,
        },
        { difference: { unit: 'µs', factor: 1000 } },
      )
    }
    return [
      figure(
        '12a',
        'Notification to webhook, p50, one instance',
        'single',
        0.5,
        P50_LIMIT_MS,
        `${samples}; npm start's relay: the embedded PGlite, the store in memory; the bare server writes to Postgres (median ${median(latencies.bare).toFixed(1)} ms)`,
      ),
      figure(
        '12b',
        'Notification to webhook, p99, one instance',
        'single',
        0.99,
        P99_LIMIT_MS,
        `the same samples; the slowest ${Math.max(...latencies.single).toFixed(1)} ms (bare ${Math.max(...latencies.bare).toFixed(1)} ms)`,
      ),
      figure(
        '12c',
        'Notification to webhook, p50, two instances, Redis and Postgres',
        'pair',
        0.5,
        P50_LIMIT_MS,
        `${samples}; the notification to instance A, the job on whichever instance claims it, both on Debian's Postgres and Redis`,
      ),
      figure(
        '12d',
        'Notification to webhook, p99, two instances, Redis and Postgres',
        'pair',
        0.99,
        P99_LIMIT_MS,
        `the same samples; the slowest ${Math.max(...latencies.pair).toFixed(1)} ms`,
      ),
    ]
  } finally {
    for (const client of clients) client.close()
    await Promise.all(servers.map((server) => server.stop()))
    await Promise.all([postgres.stop(), redis.stop()])
    await world.close()
  }
}

/** Each person's access token, from a code exchanged straight with Withings, for the bare server. */
async function handTokens(world: World, bareUrl: string) {
  const emulator = createHttpClient(world.emulatorUrl)
  const bare = createHttpClient(bareUrl)
  try {
    const tokens: Record<string, string> = {}
    for (const person of world.people) {
      const code = await mintCode(world.emulatorUrl, undefined, person)
      tokens[person.userid] = (await tokensDirectly(emulator, code)).accessToken
    }
    const answer = await bare.send('/tokens', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(tokens),
    })
    if (answer.status !== 204) throw new Error(`the bare server answered ${answer.status}`)
  } finally {
    emulator.close()
    bare.close()
  }
}
