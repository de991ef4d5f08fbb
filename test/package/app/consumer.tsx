// A TypeScript app using every entry of the packed `withings-link`, type-checked against the
// package's own declarations (the pack test runs tsc on it with Node's module resolution).
// Each @ts-expect-error proves a type is really there: against `any` it would be unused.

import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import { BrowserRouter, Route, Routes } from 'react-router-dom'
import { createEmulator, type Emulator, type Fault } from 'withings-link/emulator'
import {
  createNodeRelay,
  drainGate,
  gracefulStop,
  listen,
  type NodeRelay,
} from 'withings-link/node'
import {
  ConnectWithings,
  createWithingsLink,
  type SessionView as PageSessionView,
  ProblemNotice,
  useWithings,
  WithingsCallback,
  WithingsLinkProvider,
  WithingsSessionRoute,
} from 'withings-link/react'
import { createRedisStore } from 'withings-link/redis'
import {
  bunConnectionAddress,
  ConfigError,
  cloudflareConnectionAddress,
  configFromEnv,
  createMemoryStore,
  createRelay,
  denoConnectionAddress,
  type ErrorCode,
  type LogoutResult,
  type ReadinessCheck,
  type RelayConfig,
  type RelayDeps,
  type SessionView,
  type SharedStore,
} from 'withings-link/relay'
import {
  createSync,
  type EventRecord,
  MEASURE_TYPES,
  type MeasureRecord,
  openSyncDatabase,
  type Sync,
  type SyncDatabase,
  type SyncEvent,
} from 'withings-link/sync'

export function relayApp(env: Record<string, string | undefined>): Hono {
  let config: RelayConfig
  try {
    config = configFromEnv(env, { onWarning: (warning: string) => console.warn(warning) })
  } catch (error) {
    if (error instanceof ConfigError) console.error(error.problems.join('\n'))
    throw error
  }
  const store: SharedStore = createMemoryStore()
  const deps: RelayDeps = { store, now: Date.now }
  const relay = createRelay(config, deps)
  const app = new Hono()
  app.route('/', relay)
  // @ts-expect-error: the config is required
  createRelay()
  return app
}

// docs/hosts.md: another runtime's address, Redis shared, a readiness check of the app's own.
export function elsewhere(config: RelayConfig, runtime: 'bun' | 'deno' | 'workers') {
  const connectionAddress = {
    bun: bunConnectionAddress,
    deno: denoConnectionAddress,
    workers: cloudflareConnectionAddress,
  }[runtime]
  const database: ReadinessCheck = { name: 'database', check: async (signal) => signal.aborted }
  const store = createRedisStore({ url: 'redis://127.0.0.1:6379' })
  // @ts-expect-error: a check has a name
  const nameless: ReadinessCheck = { check: () => undefined }
  return createRelay(config, { connectionAddress, store, readiness: [database, nameless] })
}

// The README's Node server recipe, as it is there.
export async function nodeServer() {
  const config = configFromEnv(process.env)
  const relay = await createNodeRelay(config)
  const gate = drainGate(relay.fetch)
  const server = await listen(gate.fetch, { hostname: '0.0.0.0', port: 3000 })
  const stop = gracefulStop({
    gate,
    server,
    graceMs: config.upstreamTimeoutMs + 2_000,
    log: console.log,
  })
  process.once('SIGTERM', async () => {
    const code = await stop('SIGTERM')
    await relay.close()
    process.exit(code)
  })
}

export async function nodeOverrides(config: RelayConfig): Promise<NodeRelay> {
  const relay = await createNodeRelay(config, { log: (line) => console.log(line.msg) })
  serve({ fetch: relay.fetch, port: 0 })
  // @ts-expect-error: a relay needs its config
  await createNodeRelay()
  return relay
}

export function emulatorFor(callback: string): Emulator {
  const emulator = createEmulator({
    clients: [{ clientId: 'app', clientSecret: 'secret', callbacks: [callback] }],
  })
  const fault: Fault = { type: 'status', status: 601 }
  emulator.faults.inject(fault, { on: 'token', times: 1 })
  // @ts-expect-error: not a fault the emulator knows
  emulator.faults.inject({ type: 'explode' })
  return emulator
}

export function describeSession(session: SessionView, logout: LogoutResult, code: ErrorCode) {
  const same: PageSessionView = session
  // @ts-expect-error: userid is a string
  const id: number = same.userid
  return `${id} ${logout.withings_informed} ${code}`
}

// The README's React recipe, as it is there.
function Profile() {
  const withings = useWithings()
  if (withings.status === 'checking') return <p>Checking your Withings connection…</p>
  if (withings.status !== 'connected') return <ConnectWithings />
  return (
    <>
      <p>Connected to Withings as {withings.userid}.</p>
      <button type="button" onClick={() => void withings.disconnect()}>
        Disconnect
      </button>
    </>
  )
}

// Started before React's first render, as docs/library.md's recipe does it.
const withings = createWithingsLink()
if (typeof window !== 'undefined' && window.location.pathname === '/callback') {
  void withings.completeCallback().then((outcome) => outcome.kind)
}

export function App() {
  return (
    <WithingsLinkProvider kit={withings}>
      <BrowserRouter>
        <Routes>
          <Route path="/callback" element={<WithingsCallback />} />
          <Route element={<WithingsSessionRoute />}>
            <Route path="/" element={<Profile />} />
          </Route>
        </Routes>
      </BrowserRouter>
    </WithingsLinkProvider>
  )
}

export function Weights() {
  const withings = useWithings()
  // @ts-expect-error: scopes are Withings' scope names
  const unknown: 'user.everything'[] = withings.scopes
  const load = () => withings.data.all('measure', 'getmeas', { meastypes: [1] }, 'measuregrps')
  // @ts-expect-error: the relay forwards only the actions it knows
  const refused = () => withings.data.call('measure', 'deletemeas')
  return (
    <button type="button" onClick={() => void load().then(refused)}>
      {unknown.length}
      {withings.problem && <ProblemNotice problem={withings.problem} />}
    </button>
  )
}

// The README's fetch-style recipe (a Next.js route handler), as it is there.
let relay: ReturnType<typeof createRelay> | undefined
function handler(request: Request) {
  relay ??= createRelay(configFromEnv(process.env))
  return relay.fetch(request)
}

export { handler as GET, handler as OPTIONS, handler as POST }

// The sync: a database, the sync handed to the relay, typed queries and events.
export async function syncedApp(env: Record<string, string | undefined>) {
  const database: SyncDatabase = await openSyncDatabase({ url: 'postgres://app@db/app' })
  const sync: Sync = createSync({
    database,
    relaySecrets: configFromEnv(env).relaySecrets,
    onEvent: (event: SyncEvent) => {
      if (event.type === 'measures.created') {
        const first: EventRecord<MeasureRecord> | undefined = event.data.records[0]
        console.log(event.id, first?.value, first?.unit, first?.measured_at, MEASURE_TYPES[1].name)
      }
    },
    webhook: { url: 'https://api.example.com/withings/webhooks', secrets: ['whsec_…'] },
  })
  const relay = createRelay(configFromEnv(env), { sync })
  const weights: MeasureRecord[] = await sync.queries.measures(363, { types: [1] })
  // @ts-expect-error: a person is their userid, a number
  await sync.queries.latest('363')
  return { relay, weights }
}
