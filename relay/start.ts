// Node entry (`npm start`, `node build/relay/start.mjs`): environment → config → serve.
// Without Withings credentials it starts the built-in emulator and points everything at it.

import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { createRelay } from './app'
import { type Env, parseConfig, parsePort } from './config'
import { listen } from './node/listen'
import { createAppServer, nodeConnectionAddress } from './server'

// A .env file in the working directory fills in what the real environment does not set.
if (existsSync('.env')) process.loadEnvFile('.env')
const env: Env = process.env
const emulatorMode = !env.WITHINGS_CLIENT_ID && !env.WITHINGS_CLIENT_SECRET
const portProblems: string[] = []
const port = parsePort(env.PORT, portProblems)
if (portProblems.length > 0) fail(portProblems)
// A local demo stays on this machine; a deployment listens on every interface.
const host = env.HOST || (emulatorMode ? '127.0.0.1' : '0.0.0.0')

let handler: (request: Request, env: never) => Response | Promise<Response> = () =>
  new Response('Starting…', { status: 503, headers: { 'Retry-After': '1' } })
const server = await listen((request, nodeEnv) => handler(request, nodeEnv), {
  hostname: host,
  port,
}).catch((error: NodeJS.ErrnoException) => fail([listenProblem(error)]))
const appUrl = `http://localhost:${server.port}`

const settings = emulatorMode ? await withEmulator(env, appUrl) : env
const parsed = parseConfig(settings, { emulator: emulatorMode })
if (!parsed.ok) {
  await server.close()
  fail(parsed.problems)
}
for (const warning of parsed.warnings) console.warn(`warning: ${warning}`)

const staticRoot = resolve(env.STATIC_DIR || 'dist')
const relay = createRelay(parsed.config, { connectionAddress: nodeConnectionAddress })
const { connectOrigins } = parsed.config
handler = createAppServer({ relay, staticRoot, connectOrigins }).fetch

console.log(`withings-link is running: ${appUrl}`)
if (emulatorMode) {
  console.log('No Withings credentials set: the built-in Withings emulator stands in for Withings.')
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.close().then(() => process.exit(0))
  })
}

async function withEmulator(env: Env, appUrl: string): Promise<Env> {
  const { createEmulator } = await import('./emulator/app')
  const redirectUri = env.WITHINGS_REDIRECT_URI || `${appUrl}/callback`
  const clientId = 'withings-link-local'
  const clientSecret = randomText()
  const ttl = Number(env.EMULATOR_TOKEN_TTL_SECONDS || 10_800)
  const emulator = createEmulator({
    clients: [{ clientId, clientSecret, callbacks: [redirectUri], name: 'withings-link (local)' }],
    accessTokenTtlSeconds: Number.isInteger(ttl) && ttl > 0 ? ttl : 10_800,
    controlApi: true,
  })
  const listening = await listen(emulator.fetch, {
    hostname: '127.0.0.1',
    port: Number(env.EMULATOR_PORT || 0),
  })
  return {
    ...env,
    WITHINGS_CLIENT_ID: clientId,
    WITHINGS_CLIENT_SECRET: clientSecret,
    WITHINGS_REDIRECT_URI: redirectUri,
    WITHINGS_AUTHORIZE_URL: `${listening.url}/oauth2_user/authorize2`,
    WITHINGS_API_URL: listening.url,
    // Sessions then last as long as this process, which is what a local demo needs.
    RELAY_SECRET: env.RELAY_SECRET || randomText(),
  }
}

function randomText(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
}

function listenProblem(error: NodeJS.ErrnoException): string {
  if (error.code === 'EADDRINUSE') return `PORT ${port} is already in use: set PORT to a free port.`
  if (error.code === 'EACCES') return `PORT ${port} needs privileges: choose a port above 1023.`
  return `Could not listen on port ${port}: ${error.code ?? error.message}.`
}

function fail(problems: string[]): never {
  console.error('withings-link cannot start:')
  for (const problem of problems) console.error(`- ${problem}`)
  process.exit(1)
}
