import type { Builds } from './builds'
import { compared, type Figure } from './figures'
import { createHttpClient, type HttpClient } from './http-client'
import { startRelay } from './servers'
import { relayPost } from './sessions'
import { median } from './stats'
import { signIn, startSyncRelay, startWorld } from './sync-world'

// Item 13: what the dashboard costs the demo person's page, one view at a time, its four panels'
// requests at once as the page sends them (90 days of weight and of blood pressure, 30 of steps
// and of sleep): from the store (the sync on: GET /api/data/…; the page shows a year there, the
// same windows here so that both carry the same data) against the proxy path (SYNC=off: POST
// /api/withings/…). Each relay is npm start's bundle in its own process, against one emulator in
// its own, which answers in 20 ms (as item 1a), then at once (faster than Withings ever is). The
// two take turns.

export interface StoreOptions {
  views: number
}

const DAY = 86_400
const DEMO = 363
/** As item 1a: a near Withings (its own answers take 100 ms and more from Europe). */
const WITHINGS_MS = 20

export async function storeFigures(builds: Builds, options: StoreOptions): Promise<Figure[]> {
  const world = await startWorld(builds)
  const stored = await startSyncRelay(builds, world)
  const proxied = await startRelay(builds, world.emulatorUrl, [], { SYNC: 'off' })
  const clients: HttpClient[] = []
  try {
    const storeHttp = createHttpClient(stored.url, { connections: 4 })
    const proxyHttp = createHttpClient(proxied.url, { connections: 4 })
    clients.push(storeHttp, proxyHttp)
    const storeCookie = await signIn(storeHttp, world, 'demo')
    await world.receiver.completed(DEMO)
    const proxyCookie = await signIn(proxyHttp, world, 'demo')
    const views = {
      store: () => storeView(storeHttp, storeCookie),
      proxy: () => proxyView(proxyHttp, proxyCookie),
    }
    const calls = { store: 0, proxy: 0 }
    /** Median view time of each path, Withings answering `delayMs` after each call. */
    const measure = async (delayMs: number) => {
      await world.delay(delayMs)
      const times = { store: [] as number[], proxy: [] as number[] }
      for (const name of ['store', 'proxy'] as const) await views[name]()
      for (let view = 0; view < options.views; view++) {
        for (const name of ['store', 'proxy'] as const) {
          await world.clearRequests()
          const started = performance.now()
          await views[name]()
          times[name].push(performance.now() - started)
          calls[name] += (await world.requests()).filter((entry) => entry.route === 'data').length
        }
      }
      return { store: median(times.store), proxy: median(times.proxy) }
    }
    const slow = await measure(WITHINGS_MS)
    const fast = await measure(0)
    await world.delay(0)
    const perView = (name: 'store' | 'proxy') => calls[name] / (2 * options.views)
    const method = `median of ${options.views} views each, in turn, after a warm-up view: the four panels' requests sent at once, until the last answer`
    const view = (
      id: string,
      name: string,
      times: { store: number; proxy: number },
      detail: string,
    ) =>
      compared(
        {
          id,
          name,
          unit: 'ms',
          value: times.store,
          reference: { name: `the proxy path (SYNC=off), ${detail}`, value: times.proxy },
          target: '< the proxy path',
          met: times.store < times.proxy,
          method: `${method}; ${detail}`,
        },
        { difference: { unit: 'µs', factor: 1000 } },
      )
    return [
      view('13a', 'Dashboard view from the store', slow, `Withings answering in ${WITHINGS_MS} ms`),
      view(
        '13b',
        'Dashboard view from the store, Withings at once',
        fast,
        'Withings answering at once',
      ),
      compared(
        {
          id: '13c',
          name: 'Withings calls per dashboard view from the store',
          unit: 'calls',
          value: perView('store'),
          reference: { name: 'the proxy path (SYNC=off)', value: perView('proxy') },
          target: '0',
          met: perView('store') === 0,
          method: `the views of 13a and 13b, Withings' data calls counted by the emulator`,
        },
        { ratio: false },
      ),
    ]
  } finally {
    for (const client of clients) client.close()
    await Promise.all([stored.stop(), proxied.stop()])
    await world.close()
  }
}

const ymd = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10)

/** The page's dashboard with the sync on (web/app/data/dashboard-source.ts, storeSource). */
async function storeView(http: HttpClient, cookie: string) {
  const now = Math.floor(Date.now() / 1000)
  const get = { headers: { cookie, 'sec-fetch-site': 'same-origin' } }
  const days = `from=${ymd(now - 29 * DAY)}&to=${ymd(now)}`
  await expectAll(
    Promise.all([
      http.send(`/api/data/measures?types=1&from=${now - 89 * DAY}`, get),
      http.send(`/api/data/measures?types=10,9&from=${now - 89 * DAY}`, get),
      http.send(`/api/data/activity?${days}`, get),
      http.send(`/api/data/sleep?${days}`, get),
    ]),
  )
}

/** The page's dashboard without it (web/app/data/dashboard-data.ts, through the proxy). */
async function proxyView(http: HttpClient, cookie: string) {
  const now = Math.floor(Date.now() / 1000)
  const days = { startdateymd: ymd(now - 29 * DAY), enddateymd: ymd(now) }
  const post = (service: string, body: Record<string, unknown>) =>
    http.send(`/api/withings/${service}`, relayPost(body, cookie))
  await expectAll(
    Promise.all([
      post('measure', {
        action: 'getmeas',
        meastypes: [1],
        category: 1,
        startdate: now - 89 * DAY,
      }),
      post('measure', {
        action: 'getmeas',
        meastypes: [10, 9],
        category: 1,
        startdate: now - 89 * DAY,
      }),
      post('v2/measure', { action: 'getactivity', ...days, data_fields: 'steps' }),
      post('v2/sleep', { action: 'getsummary', ...days, data_fields: 'total_sleep_time' }),
    ]),
  )
}

async function expectAll(answers: Promise<{ status: number; body: string }[]>) {
  for (const answer of await answers) {
    if (answer.status !== 200)
      throw new Error(`a panel was answered ${answer.status}: ${answer.body.slice(0, 200)}`)
  }
}
