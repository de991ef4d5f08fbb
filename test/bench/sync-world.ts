import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createEmulator, type Emulator } from '../../relay/emulator/emulator'
import type { RequestLogEntry } from '../../relay/emulator/recorded-requests'
import type { SeededUser } from '../../relay/emulator/users'
import { type Listening, listen } from '../../relay/node/listen'
import type { Builds } from './builds'
import { createHttpClient, type HttpClient } from './http-client'
import { benchPeople, everyone } from './people'
import { type ServerProcess, startServer } from './processes'
import { CLIENT, relayEnv, scratchDir, startEmulator } from './servers'
import { exchangeAtRelay, type Person, prepareRelayExchange } from './sessions'

// What the sync's benchmarks (items 10–15) share: Withings played by the emulator, with as many
// people as a figure needs, in a process of its own (where its load must not be the
// benchmark's) or in this one (where its seeded data is read to count what a figure needs); the
// built relay (npm start's bundle) with the sync on, in a process of its own, telling a webhook
// receiver in this process; and the sign-ins that connect people to it.

export const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`

export interface World {
  emulatorUrl: string
  receiver: BenchReceiver
  /** The people added to the seeded ones. */
  people: SeededUser[]
  /** Every call the emulator got since the last `clearRequests`. */
  requests(): Promise<readonly RequestLogEntry[]>
  clearRequests(): Promise<void>
  /** A new weighing of `userid` at Withings (nobody notified); its measure group. */
  weighing(userid: number, kg: number): Promise<number>
  /** Withings answers its data calls `ms` later (0: at once). */
  delay(ms: number): Promise<void>
  close(): Promise<void>
}

/** The emulator in this process: its data can be read. */
export async function startLocalWorld({
  people = 0,
} = {}): Promise<World & { emulator: Emulator }> {
  const emulator = createEmulator({
    clients: [
      { clientId: CLIENT.id, clientSecret: CLIENT.secret, callbacks: [CLIENT.redirectUri] },
    ],
    users: everyone(people),
    requestsPerMinute: 10_000_000,
  })
  const server: Listening = await listen(emulator.fetch)
  const receiver = await startBenchReceiver()
  return {
    emulator,
    emulatorUrl: server.url,
    receiver,
    people: benchPeople(people),
    requests: async () => emulator.requests.entries,
    clearRequests: async () => emulator.requests.clear(),
    async weighing(userid, kg) {
      const triggered = await emulator.notifications.trigger({ type: 'weighing', userid, kg })
      return triggered.measuregrp?.grpid ?? -1
    },
    async delay(ms) {
      emulator.faults.clear()
      if (ms > 0) emulator.faults.inject({ type: 'delay', ms }, { on: 'data' })
    },
    async close() {
      await Promise.all([server.close(), receiver.close()])
    },
  }
}

/** The emulator in a process of its own (the benchmark's bundle of it). */
export async function startWorld(builds: Builds, { people = 0 } = {}): Promise<World> {
  const emulator = await startEmulator(builds, { people })
  const control = createHttpClient(emulator.url, { connections: 2 })
  const receiver = await startBenchReceiver()
  const json = (body: unknown) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return {
    emulatorUrl: emulator.url,
    receiver,
    people: benchPeople(people),
    async requests() {
      const answer = await control.send('/_emulator/requests')
      return (JSON.parse(answer.body) as { entries: RequestLogEntry[] }).entries
    },
    async clearRequests() {
      await control.send('/_emulator/requests', { method: 'DELETE' })
    },
    async weighing(userid, kg) {
      const answer = await control.send(
        '/_emulator/notify/events',
        json({ type: 'weighing', userid, kg }),
      )
      if (answer.status !== 201)
        throw new Error(`the emulator answered ${answer.status}: ${answer.body}`)
      return (JSON.parse(answer.body) as { measuregrp: { grpid: number } }).measuregrp.grpid
    },
    async delay(ms) {
      await control.send('/_emulator/faults', { method: 'DELETE' })
      if (ms > 0) {
        const answer = await control.send(
          '/_emulator/faults',
          json({ fault: { type: 'delay', ms }, on: 'data' }),
        )
        if (answer.status !== 201) throw new Error(`the emulator answered ${answer.status}`)
      }
    },
    async close() {
      control.close()
      await Promise.all([emulator.stop(), receiver.close()])
    },
  }
}

/** npm start's bundle with the sync on, Withings being the world's emulator. */
export function startSyncRelay(
  builds: Builds,
  world: World,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<ServerProcess> {
  return startServer({
    script: builds.relay,
    nodeArgs,
    env: {
      ...relayEnv(world.emulatorUrl),
      WEBHOOK_URL: world.receiver.url,
      WEBHOOK_SECRET,
      ...env,
    },
    cwd: scratchDir(),
    readyPath: '/api/healthz',
    status: 200,
  })
}

/** `person`'s sign-in at the relay (consent, then the code exchange); the session cookie. */
export async function signIn(relay: HttpClient, world: World, person: Person): Promise<string> {
  return exchangeAtRelay(relay, await prepareRelayExchange(relay, world.emulatorUrl, person))
}

/** The sign-ins of `people`, `atOnce` at a time; their session cookies. */
export async function signInAll(
  relayUrl: string,
  world: World,
  people: readonly SeededUser[],
  atOnce = 8,
): Promise<string[]> {
  const relay = createHttpClient(relayUrl, { connections: atOnce })
  try {
    const cookies: string[] = []
    for (let from = 0; from < people.length; from += atOnce) {
      cookies.push(
        ...(await Promise.all(
          people.slice(from, from + atOnce).map((person) => signIn(relay, world, person)),
        )),
      )
    }
    return cookies
  } finally {
    relay.close()
  }
}

/**
 * The app's webhook receiver, as light as one can be (the tests verify the signatures; here it
 * is the time of arrival that counts): when each measure group and each import's end arrived.
 */
export interface BenchReceiver {
  url: string
  /** Resolves when a delivery carrying measure group `grpid` arrives; its time (performance.now). */
  group(grpid: number): Promise<number>
  /** Resolves when `userid`'s import is told complete; its time. */
  completed(userid: number): Promise<number>
  /** Deliveries so far. */
  readonly deliveries: number
  /** Forgets what arrived (a new relay imports the same people again). */
  forget(): void
  close(): Promise<void>
}

export async function startBenchReceiver(): Promise<BenchReceiver> {
  const arrived = new Map<string, number>()
  const waiting = new Map<string, (at: number) => void>()
  let deliveries = 0
  const arrive = (key: string, at: number) => {
    arrived.set(key, at)
    waiting.get(key)?.(at)
    waiting.delete(key)
  }
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const at = performance.now()
      deliveries++
      response.writeHead(204).end()
      const { type, data } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        type: string
        data: { userid: number; records?: { grpid?: number }[] }
      }
      if (type === 'backfill.completed') arrive(`done:${data.userid}`, at)
      for (const record of data.records ?? []) {
        if (record.grpid !== undefined) arrive(`grp:${record.grpid}`, at)
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const when = (key: string) =>
    new Promise<number>((resolve) => {
      const at = arrived.get(key)
      if (at !== undefined) resolve(at)
      else waiting.set(key, resolve)
    })
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    group: (grpid) => when(`grp:${grpid}`),
    completed: (userid) => when(`done:${userid}`),
    get deliveries() {
      return deliveries
    },
    forget: () => arrived.clear(),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
