import {
  DEFAULT_DATA_DIR,
  type Env,
  httpUrl,
  syncEnabled,
  urlSetting,
  wholeNumber,
} from '../core/config'

// The Node server's own settings, beside the relay's (relay/config.ts): where it listens, what
// it serves, and the local emulator it runs when there are no Withings credentials. Parsed once,
// at start, by the relay's rules: one plain sentence per problem, nothing thrown.

export interface NodeSettings {
  port: number
  /** The interface to listen on. */
  host: string
  /** The built SPA that `npm start` serves around the relay. */
  staticDir: string
  /** Origins the SPA fetches from besides its own (VITE_RELAY_URL's): its CSP's connect-src. */
  connectOrigins: readonly string[]
  /** Set when no Withings credentials are: the emulator that then stands in for Withings. */
  emulator: EmulatorSettings | undefined
  /**
   * Where what outlives a restart is kept (DATA_DIR, `.data` by default): the embedded database,
   * the generated key and the local emulator's grants. Undefined with SYNC=off: nothing is kept.
   */
  dataDir: string | undefined
}

export interface EmulatorSettings {
  /** 0 lets the system choose a free port. */
  port: number
  tokenTtlSeconds: number
}

type ParsedSettings = { ok: true; settings: NodeSettings } | { ok: false; problems: string[] }

const DEFAULT_PORT = 3000
/** Withings' `expires_in` (reference: oauth2-getaccesstoken). */
const WITHINGS_TOKEN_TTL_SECONDS = 10_800
const MAX_TOKEN_TTL_SECONDS = 7 * 86_400
const PORT_RULE = { min: 0, max: 65_535 }
/** An IP address or a host name, as Node's listen takes it (IPv6 without brackets). */
const HOST = /^[A-Za-z0-9.:-]+$/

/** `dev`: the settings of `npm run dev`, which listens on 127.0.0.1 unless HOST says otherwise. */
export function parseNodeSettings(env: Env, { dev = false } = {}): ParsedSettings {
  const problems: string[] = []
  const emulatorMode = !env.WITHINGS_CLIENT_ID?.trim() && !env.WITHINGS_CLIENT_SECRET?.trim()

  const port = wholeNumber(env.PORT, problems, {
    name: 'PORT',
    fallback: DEFAULT_PORT,
    ...PORT_RULE,
  })
  // A local demo or a dev server stays on this machine; a deployment listens on every interface.
  const host = env.HOST?.trim() || (emulatorMode || dev ? '127.0.0.1' : '0.0.0.0')
  if (!HOST.test(host)) {
    problems.push(
      `HOST must be an address or a host name to listen on, such as 0.0.0.0, 127.0.0.1 or :: (got "${env.HOST}").`,
    )
  }
  const relayUrl = httpUrl(urlSetting(env, 'VITE_RELAY_URL', '', problems))

  const emulator = emulatorMode
    ? {
        port: wholeNumber(env.EMULATOR_PORT, problems, {
          name: 'EMULATOR_PORT',
          fallback: 0,
          ...PORT_RULE,
          meaning: 'port of the local emulator, 0 for any free one',
        }),
        tokenTtlSeconds: wholeNumber(env.EMULATOR_TOKEN_TTL_SECONDS, problems, {
          name: 'EMULATOR_TOKEN_TTL_SECONDS',
          fallback: WITHINGS_TOKEN_TTL_SECONDS,
          min: 1,
          max: MAX_TOKEN_TTL_SECONDS,
          meaning: "emulator's access-token life in seconds, 10800 at Withings",
        }),
      }
    : undefined

  if (problems.length > 0) return { ok: false, problems }
  return {
    ok: true,
    settings: {
      port,
      host,
      staticDir: env.STATIC_DIR?.trim() || 'dist',
      connectOrigins: relayUrl ? [relayUrl.origin] : [],
      emulator,
      dataDir: syncEnabled(env) ? env.DATA_DIR?.trim() || DEFAULT_DATA_DIR : undefined,
    },
  }
}
