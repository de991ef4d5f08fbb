import { type IncomingMessage, request } from 'node:http'
import { Hono } from 'hono'
import { cookiePolicy } from '../../relay/core/cookies/cookie-policy'
import { createSessionCookie, type Session } from '../../relay/core/cookies/session-cookie'
import { createCallbackUrls } from '../../relay/core/notify/callback-url'
import { createSealer } from '../../relay/core/seal'
import { startRedis } from '../support/redis'
import type { Builds } from './builds'
import { compared, type Figure } from './figures'
import { createHttpClient } from './http-client'
import { collectGarbage, GC_ON_SIGNAL } from './memory'
import { residentBytes, type ServerProcess, startServer } from './processes'
import { CLIENT, relayEnv, scratchDir } from './servers'
import { median, percentile } from './stats'

// Item 8: a notification's way from Withings' POST to the open page, with `streams` pages open
// (one person each): through one relay instance (shared store in memory), and through two
// instances and Redis (the POST reaches instance A, the pages are open on instance B), each
// against a bare Hono SSE server doing the same fan-out, in the same run, sample by sample in
// turn. Then the memory an open stream costs (RSS after a full collection, before and after
// opening them, in the one-instance relay and in the bare server), and the callback's answer
// time when `burst` notifications arrive at once (Withings allows 2 s). Every server is its own
// process on loopback; the pages are this process's sockets, read as EventSource reads them.

export interface LiveOptions {
  streams: number
  samples: number
  burst: number
}

const P50_LIMIT_MS = 50
const P99_LIMIT_MS = 200
const REDIS_RATIO_LIMIT = 2
const PER_STREAM_LIMIT_KB = 20
/** "Well under" Withings' 2 seconds. */
const BURST_LIMIT_MS = 1_000
const SECRET = relayEnv('http://127.0.0.1:9').RELAY_SECRET as string
/** Any seconds will do; each notification gets its own, so none is taken for a repeat. */
const FIRST_DATE = 1_700_000_000

const personOf = (index: number) => String(1_000_000 + index)

export async function liveNotifications(builds: Builds, options: LiveOptions): Promise<Figure[]> {
  const redis = await startRedis()
  const servers: ServerProcess[] = []
  const pages: Pages[] = []
  const start = async (server: Promise<ServerProcess>) => {
    const started = await server
    servers.push(started)
    return started
  }
  try {
    const bare = await start(
      startServer({ script: builds.bareSse, env: {}, readyPath: '/', nodeArgs: GC_ON_SIGNAL }),
    )
    const single = await start(startLiveRelay(builds, {}, GC_ON_SIGNAL))
    const instanceA = await start(startLiveRelay(builds, { REDIS_URL: redis.url }))
    const instanceB = await start(startLiveRelay(builds, { REDIS_URL: redis.url }))

    const before = { bare: await settled(bare), single: await settled(single) }
    const cookies = await sessionCookies(options.streams)
    const openAll = async (url: (index: number) => string, cookie?: (index: number) => string) => {
      const opened = await openPages(options.streams, url, cookie)
      pages.push(opened)
      return opened
    }
    const barePages = await openAll((i) => `${bare.url}/events/${personOf(i)}`)
    const singlePages = await openAll(
      () => `${single.url}/api/events`,
      (i) => cookies[i] ?? '',
    )
    const redisPages = await openAll(
      () => `${instanceB.url}/api/events`,
      (i) => cookies[i] ?? '',
    )
    const after = { bare: await settled(bare), single: await settled(single) }

    const paths = await callbackPaths(options.streams)
    const targets = {
      bare: target(barePages, bare.url, (i) => `/notify/${personOf(i)}`, options.streams),
      single: target(singlePages, single.url, paths, options.streams),
      redis: target(redisPages, instanceA.url, paths, options.streams),
    }
    const latencies = { bare: [] as number[], single: [] as number[], redis: [] as number[] }
    let date = FIRST_DATE
    for (let sample = 0; sample < options.samples; sample++) {
      const index = (sample * 7919) % options.streams
      for (const name of ['bare', 'single', 'redis'] as const) {
        latencies[name].push(await targets[name].notifyOne(index, date++))
      }
    }
    const burst = {
      bare: await targets.bare.burst(options.burst, date),
      redis: await targets.redis.burst(options.burst, date + options.burst),
    }
    for (const each of Object.values(targets)) each.close()

    const count = options.streams.toLocaleString('en-US')
    const perStream = (server: 'bare' | 'single', of: 'rss' | 'heap' = 'rss') =>
      (after[server][of] - before[server][of]) / options.streams / 1000
    const samples = `${options.samples} notifications, one at a time to a person picked in turn, the three servers taking turns`
    return [
      latency('8a', `Notification to page, p50, one instance, ${count} open streams`, {
        value: median(latencies.single),
        reference: median(latencies.bare),
        limit: P50_LIMIT_MS,
        method: `${samples}; POST to the callback until the event is read off the person's stream`,
      }),
      latency('8b', 'Notification to page, p99, one instance', {
        value: percentile(latencies.single, 0.99),
        reference: percentile(latencies.bare, 0.99),
        limit: P99_LIMIT_MS,
        method: `the same samples; the fastest ${fixed(Math.min(...latencies.single))} ms, the slowest ${fixed(Math.max(...latencies.single))} ms`,
      }),
      latency('8c', `Notification to page, p50, two instances and Redis, ${count} open streams`, {
        value: median(latencies.redis),
        reference: median(latencies.bare),
        limit: P50_LIMIT_MS,
        method: `${samples}; POST to instance A, streams open on instance B, each with its own connection to one Redis (Debian's redis-server)`,
      }),
      latency('8d', 'Notification to page, p99, two instances and Redis', {
        value: percentile(latencies.redis, 0.99),
        reference: percentile(latencies.bare, 0.99),
        limit: P99_LIMIT_MS,
        method: `the same samples; the slowest ${fixed(Math.max(...latencies.redis))} ms`,
      }),
      compared(
        {
          id: '8e',
          name: 'Redis path against the in-process one, p50',
          unit: 'ms',
          value: median(latencies.redis),
          reference: { name: 'one instance, store in memory', value: median(latencies.single) },
          target: `≤ ${REDIS_RATIO_LIMIT}×`,
          met: median(latencies.redis) <= REDIS_RATIO_LIMIT * median(latencies.single),
          method: 'figures 8c and 8a',
        },
        { difference: { unit: 'µs', factor: 1000 } },
      ),
      compared({
        id: '8f',
        name: 'JS heap per open stream',
        unit: 'kB',
        value: perStream('single', 'heap'),
        reference: { name: 'bare Hono SSE server', value: perStream('bare', 'heap') },
        target: `≤ ${PER_STREAM_LIMIT_KB} kB`,
        met: perStream('single', 'heap') <= PER_STREAM_LIMIT_KB,
        method: `V8's heap in use after a full collection, before and after opening ${count} streams: ${mb(before.single.heap)} → ${mb(after.single.heap)} MB (bare ${mb(before.bare.heap)} → ${mb(after.bare.heap)} MB)`,
      }),
      compared({
        id: '8g',
        name: 'Resident memory per open stream',
        unit: 'kB',
        value: perStream('single'),
        reference: { name: 'bare Hono SSE server', value: perStream('bare') },
        target: `≤ ${PER_STREAM_LIMIT_KB} kB`,
        met: perStream('single') <= PER_STREAM_LIMIT_KB,
        method: `RSS after a full collection, before and after opening ${count} streams: ${mb(before.single.rss)} → ${mb(after.single.rss)} MB (bare ${mb(before.bare.rss)} → ${mb(after.bare.rss)} MB): Node's socket, HTTP parser and buffers for each connection, besides the heap`,
      }),
      compared(
        {
          id: '8h',
          name: `Callback's slowest answer, burst of ${options.burst.toLocaleString('en-US')}`,
          unit: 'ms',
          value: burst.redis.slowest,
          reference: { name: 'bare Hono SSE server', value: burst.bare.slowest },
          target: `≤ ${BURST_LIMIT_MS} ms (Withings allows 2 s)`,
          met: burst.redis.slowest <= BURST_LIMIT_MS && burst.redis.delivered === options.burst,
          method: `${options.burst} notifications, for each person in turn, posted at once to instance A (Redis), each on its own connection, timed from its connection's start; median answer ${fixed(burst.redis.median)} ms (bare ${fixed(burst.bare.median)} ms); all ${burst.redis.delivered} reached their pages on instance B within ${fixed(burst.redis.allDeliveredMs)} ms`,
        },
        { difference: { unit: 'ms', factor: 1 } },
      ),
    ]
  } finally {
    for (const opened of pages) opened.close()
    await Promise.all(servers.map((server) => server.stop()))
    await redis.stop()
  }
}

function latency(
  id: string,
  name: string,
  {
    value,
    reference,
    limit,
    method,
  }: { value: number; reference: number; limit: number; method: string },
): Figure {
  return compared(
    {
      id,
      name,
      unit: 'ms',
      value,
      reference: { name: 'bare Hono SSE server', value: reference },
      target: `≤ ${limit} ms`,
      met: value <= limit,
      method,
    },
    { difference: { unit: 'µs', factor: 1000 } },
  )
}

function startLiveRelay(builds: Builds, env: Record<string, string>, nodeArgs: string[] = []) {
  return startServer({
    script: builds.liveRelay,
    nodeArgs,
    // The benchmark posts to the callback over plain http on 127.0.0.1: no Withings involved.
    env: { ...relayEnv('http://127.0.0.1:9'), ...env },
    cwd: scratchDir(),
    readyPath: '/api/healthz',
    status: 200,
  })
}

/** After a full collection: the resident set, and V8's heap in use. */
async function settled(server: ServerProcess): Promise<{ rss: number; heap: number }> {
  const heap = await collectGarbage(server)
  return { rss: residentBytes(server.pid), heap }
}

/** Session cookies (`name=value`) for `count` people, sealed as the relay seals them. */
export async function sessionCookies(count: number): Promise<string[]> {
  const spec = cookiePolicy(CLIENT.redirectUri).session
  const cookie = createSessionCookie(createSealer([SECRET]), spec, Date.now)
  const now = Math.floor(Date.now() / 1000)
  const app = new Hono().get('/:person', async (c) => {
    const session: Session = {
      id: `bench-${c.req.param('person')}`,
      userid: c.req.param('person'),
      gen: 1,
      scope: 'user.sleepevents',
      accessToken: 'not-used',
      accessExpiresAt: now + 10_800,
      refreshAt: now + 10_000,
      refreshToken: 'not-used',
      loginAt: now,
      endsAt: now + 86_400,
    }
    await cookie.write(c, session)
    return c.body(null, 204)
  })
  const cookies: string[] = []
  for (let index = 0; index < count; index++) {
    const answer = await app.request(`/${personOf(index)}`)
    const line = answer.headers.get('set-cookie') ?? ''
    cookies.push(line.split(';')[0] ?? '')
  }
  return cookies
}

/** The callback paths Withings would be given for each person (the token is the relay's HMAC). */
async function callbackPaths(count: number) {
  const urls = createCallbackUrls('', [SECRET])
  const paths: string[] = []
  for (let index = 0; index < count; index++) paths.push(await urls.urlFor(personOf(index)))
  return (index: number) => paths[index] ?? ''
}

export interface Pages {
  /** Resolves when the event carrying `date` reaches person `index`'s page. */
  arrival(index: number, date: number): Promise<void>
  close(): void
}

/** Opens one stream per person, each read for `"date":N` as events arrive; resolves once all are open. */
export async function openPages(
  count: number,
  url: (index: number) => string,
  cookie?: (index: number) => string,
): Promise<Pages> {
  const waiting = new Map<string, () => void>()
  const arrived = new Set<string>()
  const sockets: ReturnType<typeof request>[] = []
  const open = (index: number) =>
    new Promise<void>((resolve, reject) => {
      const outgoing = request(url(index), {
        agent: false,
        headers: {
          accept: 'text/event-stream',
          'sec-fetch-site': 'same-origin',
          ...(cookie && { cookie: cookie(index) }),
        },
      })
      sockets.push(outgoing)
      outgoing.on('error', reject)
      outgoing.on('response', (response: IncomingMessage) => {
        if (response.statusCode !== 200) {
          reject(new Error(`stream ${index} answered ${response.statusCode}`))
          return
        }
        response.setEncoding('utf8')
        let first = true
        response.on('data', (chunk: string) => {
          if (first) {
            first = false
            resolve()
          }
          for (const match of chunk.matchAll(/"date":(\d+)/g)) {
            const key = `${index}:${match[1]}`
            arrived.add(key)
            waiting.get(key)?.()
          }
        })
      })
      outgoing.end()
    })
  // A few hundred at a time: a thousand connects at once overflow a listen backlog.
  for (let from = 0; from < count; from += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - from) }, (_, offset) => open(from + offset)),
    )
  }
  return {
    arrival(index, date) {
      const key = `${index}:${date}`
      if (arrived.delete(key)) return Promise.resolve()
      return new Promise((resolve) =>
        waiting.set(key, () => {
          waiting.delete(key)
          arrived.delete(key)
          resolve()
        }),
      )
    },
    close() {
      for (const socket of sockets) socket.destroy()
    },
  }
}

/** Posting notifications to one server and timing their way to the pages of `people`. */
function target(pages: Pages, origin: string, pathOf: (index: number) => string, people: number) {
  const one = createHttpClient(origin, { connections: 1 })
  const form = (index: number, date: number) =>
    new URLSearchParams({
      userid: personOf(index),
      appli: '50',
      date: String(date),
      deviceid: 'bench',
    }).toString()
  const headers = { 'content-type': 'application/x-www-form-urlencoded' }
  return {
    async notifyOne(index: number, date: number): Promise<number> {
      const started = performance.now()
      const answer = one.send(pathOf(index), { method: 'POST', headers, body: form(index, date) })
      await Promise.all([pages.arrival(index, date), answer.then(expect200(origin))])
      return performance.now() - started
    },
    /**
     * `count` notifications at once, for each person in turn, each on a connection of its own
     * (as Withings' senders): each answer timed from its connection's start, so that the time
     * a connection waited in the listen backlog is not counted. Then their way to the pages.
     */
    async burst(count: number, firstDate: number) {
      const started = performance.now()
      const arrivals = Array.from({ length: count }, (_, i) =>
        pages.arrival(i % people, firstDate + i),
      )
      const answers = await Promise.all(
        Array.from({ length: count }, (_, i) =>
          postAlone(`${origin}${pathOf(i % people)}`, headers, form(i % people, firstDate + i)),
        ),
      )
      let delivered = 0
      await Promise.all(arrivals.map((arrival) => arrival.then(() => delivered++)))
      return {
        slowest: Math.max(...answers),
        median: median(answers),
        delivered,
        allDeliveredMs: performance.now() - started,
      }
    },
    close: () => one.close(),
  }
}

const expect200 = (origin: string) => (answer: { status: number }) => {
  if (answer.status !== 200) throw new Error(`${origin} answered a notification ${answer.status}`)
}

/** One POST on its own connection: ms from the connection's start to the answer's end. */
export function postAlone(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    let connected = 0
    const outgoing = request(url, {
      method: 'POST',
      agent: false,
      headers: { ...headers, 'content-length': Buffer.byteLength(body) },
    })
    outgoing.on('socket', (socket) => {
      socket.once('connect', () => {
        connected = performance.now()
      })
    })
    outgoing.on('response', (response) => {
      response.resume()
      response.on('end', () => {
        if (response.statusCode !== 200) reject(new Error(`${url} answered ${response.statusCode}`))
        else resolve(performance.now() - connected)
      })
    })
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}

const fixed = (ms: number) => ms.toFixed(1)
const mb = (bytes: number) => (bytes / 1_000_000).toFixed(1)
