import type { RelayConfig } from '../../relay/core/config'
import type { LogLine } from '../../relay/core/http/request-log'
import type { EventStreamLimits } from '../../relay/core/notify/event-streams'
import { createMemoryStore } from '../../relay/core/store/memory-store'
import type { SharedStore } from '../../relay/core/store/shared-store'
import type { SyncPort } from '../../relay/core/sync/sync-port'
import { createEmulator, type Emulator, type EmulatorOptions } from '../../relay/emulator/emulator'
import { createBackgroundTasks } from '../../relay/node/background-tasks'
import { type Listening, lateHandler, listen } from '../../relay/node/listen'
import { createNodeRelay, type NodeRelay } from '../../relay/node/node-relay'
import { nodeRawConnection } from '../../relay/node/raw-connection'
import { createAppServer } from '../../relay/server/app-server'
import { testConfig } from './relay-config'

export const CLIENT_ID = 'withings-link-test'
export const CLIENT_SECRET = 'test-client-secret-0123456789abcdef'
export const RELAY_KEY = 'relayKeyForTests7Gx2Vb9Nq4Tz1Km8Wp3Rc6Yh0Dz'

export interface StackOptions {
  /** One clock for the relay and the emulator (ms since the epoch). */
  now?: () => number
  /** The built SPA to serve; without it only the relay answers. */
  staticRoot?: string
  /** Overrides of the relay's config; a function gets the app's URL (known once it listens). */
  relay?: Partial<RelayConfig> | ((appUrl: string) => Partial<RelayConfig>)
  emulator?: Partial<EmulatorOptions>
  /** Extra callbacks registered at the emulator besides the app's own. */
  extraCallbacks?: string[]
  /** The client secret the emulator expects (to test a relay with a wrong one). */
  emulatorSecret?: string
  /** What every relay instance of the stack shares (Redis in production); one in memory here. */
  store?: SharedStore
  /** Bounds of the relay's live streams. */
  liveLimits?: EventStreamLimits
  /** The person's data kept by this sync (withings-link/sync); the cookie-only kit without. */
  sync?: SyncPort
}

export interface Stack {
  /** The app (SPA + relay) on http://localhost:port — another site than the emulator. */
  appUrl: string
  emulatorUrl: string
  emulator: Emulator
  config: RelayConfig
  /** Every line the relay logged. */
  logs: LogLine[]
  /**
   * Every wait the relays asked for between two Notify calls, in ms: not waited, so that tests
   * do not wait Withings' pace (5 s between subscribes).
   */
  pauses: number[]
  /**
   * Starts one more relay instance on the same emulator with the same config, sharing the
   * stack's store unless given its own (another connection to the same Redis).
   */
  addRelay(overrides?: Partial<RelayConfig>, options?: { store?: SharedStore }): Promise<string>
  /** Waits for the work the relays do after answering (subscriptions, notifications). */
  settled(): Promise<void>
  /** Tells every relay instance to shut down (their live streams say goodbye), as SIGTERM does. */
  shutDown(): void
  close(): Promise<void>
}

/**
 * The real relay and the real emulator over real HTTP, each on its own port chosen by the OS:
 * the emulator on 127.0.0.1, the app on localhost: two sites, as account.withings.com and an app's
 * own domain are, so that browsers cross sites as in the real flow.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const servers: Listening[] = []
  const relays: NodeRelay[] = []
  const late = lateHandler()
  const app = await listen(late.fetch, { hostname: '127.0.0.1' })
  servers.push(app)
  const appUrl = `http://localhost:${app.port}`
  const redirectUri = `${appUrl}/callback`

  const emulator = createEmulator({
    clients: [
      {
        clientId: CLIENT_ID,
        clientSecret: options.emulatorSecret ?? CLIENT_SECRET,
        callbacks: [redirectUri, ...(options.extraCallbacks ?? [])],
        name: 'withings-link tests',
      },
    ],
    ...(options.now && { now: options.now }),
    connection: nodeRawConnection,
    ...options.emulator,
  })
  const emulatorServer = await listen(emulator.fetch, { hostname: '127.0.0.1' })
  servers.push(emulatorServer)

  const config: RelayConfig = testConfig({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUri,
    authorizeUrl: `${emulatorServer.url}/oauth2_user/authorize2`,
    apiUrl: emulatorServer.url,
    relaySecrets: [RELAY_KEY],
    upstreamTimeoutMs: 5_000,
    ...(typeof options.relay === 'function' ? options.relay(appUrl) : options.relay),
  })
  const logs: LogLine[] = []
  const pauses: number[] = []
  const store = options.store ?? createMemoryStore(options.now ? { now: options.now } : {})
  const shutdown = new AbortController()
  const background = createBackgroundTasks()
  // Wired as `npm start` wires it (withings-link/node), with the stack's log, store and clock.
  const makeApp = async (relayConfig: RelayConfig, instanceStore = store) => {
    const relay = await createNodeRelay(relayConfig, {
      log: (line) => logs.push(line),
      store: instanceStore,
      shutdown: shutdown.signal,
      waitUntil: background.waitUntil,
      pause: async (ms) => {
        pauses.push(ms)
        return true
      },
      ...(options.liveLimits && { liveLimits: options.liveLimits }),
      ...(options.sync && { sync: options.sync }),
      ...(options.now && { now: options.now }),
    })
    relays.push(relay)
    return createAppServer({ relay, staticRoot: options.staticRoot })
  }
  late.serve((await makeApp(config)).fetch)

  return {
    appUrl,
    emulatorUrl: emulatorServer.url,
    emulator,
    config,
    logs,
    pauses,
    async addRelay(overrides = {}, { store: own } = {}) {
      const instance = await makeApp({ ...config, ...overrides }, own)
      const another = await listen(instance.fetch, { hostname: '127.0.0.1' })
      servers.push(another)
      return `http://localhost:${another.port}`
    },
    async settled() {
      await background.settled()
    },
    shutDown: () => shutdown.abort(),
    async close() {
      // Open live streams would hold the servers open.
      shutdown.abort()
      await background.settled()
      await Promise.all([...relays, ...servers].map((each) => each.close()))
    },
  }
}

/** A clock tests move by hand; starts at the real time so seeded data looks recent. */
export function fakeClock(start = Date.now()) {
  let now = start
  return {
    now: () => now,
    advance(ms: number) {
      now += ms
    },
  }
}
