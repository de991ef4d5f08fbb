// Node entry (`npm start`, `node build/relay/start.mjs`): environment → config → serve.
// Without Withings credentials it starts the built-in emulator and points everything at it.

import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { createRelay } from './app'
import { type Env, parseConfig } from './config'
import { jsonLogger } from './http/request-log'
import { announce, entryBasics, fail, listenProblem } from './node/cli'
import { drainGate, gracefulStop } from './node/graceful'
import { createHttpUpstream } from './node/http-upstream'
import { listen } from './node/listen'
import { nodeCipher } from './node/node-cipher'
import { createAppServer, nodeConnectionAddress } from './server'

// A .env file in the working directory fills in what the real environment does not set.
if (existsSync('.env')) process.loadEnvFile('.env')
const env: Env = process.env
const { emulatorMode, port } = entryBasics(env)
// A local demo stays on this machine; a deployment listens on every interface.
const host = env.HOST || (emulatorMode ? '127.0.0.1' : '0.0.0.0')

let handler: (request: Request, env: never) => Response | Promise<Response> = () =>
  new Response('Starting…', { status: 503, headers: { 'Retry-After': '1' } })
const gate = drainGate((request, nodeEnv) => handler(request, nodeEnv))
const server = await listen(gate.fetch, { hostname: host, port }).catch(
  (error: NodeJS.ErrnoException) => fail([listenProblem(error, port)]),
)
const appUrl = `http://localhost:${server.port}`

const settings = emulatorMode
  ? (await (await import('./node/local-emulator')).startLocalEmulator(env, appUrl)).settings
  : env
const parsed = parseConfig(settings, { emulator: emulatorMode })
if (!parsed.ok) {
  await server.close()
  fail(parsed.problems)
}
for (const warning of parsed.warnings) console.warn(`warning: ${warning}`)

const staticRoot = resolve(env.STATIC_DIR || 'dist')
const relay = createRelay(parsed.config, {
  connectionAddress: nodeConnectionAddress,
  fetch: createHttpUpstream().fetch,
  cookieCipher: nodeCipher,
})
const { connectOrigins } = parsed.config
handler = createAppServer({ relay, staticRoot, connectOrigins }).fetch
announce(appUrl, { emulator: emulatorMode })
const publicOrigin = new URL(parsed.config.redirectUri).origin
if (publicOrigin !== appUrl) {
  // The relay accepts calls from the redirect URI's origin (and ALLOWED_ORIGINS) only.
  console.log(
    `Open the app at ${publicOrigin} (the origin of WITHINGS_REDIRECT_URI), e.g. through your tunnel.`,
  )
}

// Each request waits on Withings for at most one upstream deadline, so this is enough to drain.
const stop = gracefulStop({
  gate,
  server,
  graceMs: parsed.config.upstreamTimeoutMs + 2_000,
  log: jsonLogger,
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void stop(signal).then((code) => process.exit(code))
  })
}
