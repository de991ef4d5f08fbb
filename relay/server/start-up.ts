import { type ConfigOptions, type Env, parseConfig, type RelayConfig } from '../core/config'
import { fail, listenProblem } from './cli'
import { type NodeSettings, parseNodeSettings } from './settings'

// The start of `npm start` (relay/start.ts) and `npm run dev` (relay/start-dev.ts) alike: every
// setting parsed once, each problem told in one line with exit code 1 (never a stack trace),
// then the server, and without Withings credentials the local emulator, whose values complete
// the relay's config.

export interface Server {
  port: number
  close(): Promise<void>
}

interface StartUpOptions<S extends Server> {
  /** `npm run dev`'s settings (HOST defaults to 127.0.0.1). */
  dev: boolean
  /**
   * Starts the entry's server as the settings say; a failure is reported, not thrown. With
   * Withings credentials the relay's config is known by then (in emulator mode it is not: its
   * redirect URI is this server's).
   */
  listen(settings: NodeSettings, config: RelayConfig | undefined): Promise<S>
}

interface Started<S extends Server> {
  settings: NodeSettings
  config: RelayConfig
  server: S
  /** Where the server answers on this machine: `http://localhost:<port>`. */
  appUrl: string
}

export async function startUp<S extends Server>(
  env: Env,
  { dev, listen }: StartUpOptions<S>,
): Promise<Started<S>> {
  const parsed = parseNodeSettings(env, { dev })
  if (!parsed.ok) fail(parsed.problems)
  const { settings } = parsed
  const serve = async (config?: RelayConfig) => {
    const server = await listen(settings, config).catch((error: NodeJS.ErrnoException) =>
      fail([listenProblem(error, { name: 'PORT', port: settings.port, host: settings.host })]),
    )
    return { server, appUrl: `http://localhost:${server.port}` }
  }

  const local = settings.emulator
  if (!local) {
    // With Withings credentials the relay's config needs nothing from the servers: it is checked
    // before anything listens.
    const config = relayConfig(env)
    return { settings, config, ...(await serve(config)) }
  }
  const { server, appUrl } = await serve()
  // Loaded only here: a deployment's start-up never reads the emulator's code.
  const { startLocalEmulator } = await import('./local-emulator')
  const emulator = await startLocalEmulator(local, settings.dataDir).catch(
    (error: NodeJS.ErrnoException) =>
      fail([listenProblem(error, { name: 'EMULATOR_PORT', port: local.port, host: '127.0.0.1' })]),
  )
  const config = relayConfig(env, { emulator: emulator.withings(appUrl) })
  emulator.open(config.redirectUri)
  return { settings, config, server, appUrl }
}

function relayConfig(env: Env, options: ConfigOptions = {}): RelayConfig {
  const parsed = parseConfig(env, options)
  if (!parsed.ok) fail(parsed.problems)
  for (const warning of parsed.warnings) console.warn(`warning: ${warning}`)
  return parsed.config
}
