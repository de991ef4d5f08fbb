// Parses the relay's environment once, at start, into a typed config or a list of problems
// (one plain sentence each). Only entry files read process.env; they hand it to parseConfig, or
// to configFromEnv, which throws one ConfigError naming every problem. The Node server's own
// settings (PORT, HOST, STATIC_DIR, the local emulator's) are parsed in relay/node/settings.ts.

import { isLoopbackHost } from './cookies/cookie-policy'
import { keyWeakness, MAKE_A_KEY, MIN_KEY_BYTES } from './key-strength'
import { CALLBACK_PATH, CALLBACK_TOKEN_LENGTH } from './notify/callback-url'
import { parseRedisUrl } from './store/redis-url'
import { webhookProblems, webhookSecretList } from './webhook-settings'

export const WITHINGS_AUTHORIZE_URL = 'https://account.withings.com/oauth2_user/authorize2'
export const WITHINGS_API_URL = 'https://wbsapi.withings.net'

export interface RelayConfig {
  clientId: string
  clientSecret: string
  redirectUri: string
  authorizeUrl: string
  /** Base URL of the Withings API, without a trailing slash. */
  apiUrl: string
  /** Cookie keys: the first seals, every one unseals (rotation: put the new key first). */
  relaySecrets: readonly string[]
  /** Origins besides the relay's own that may call it (CORS with credentials, exact match). */
  allowedOrigins: readonly string[]
  /** True when the relay talks to the built-in emulator (shown in the SPA). */
  emulator: boolean
  /** Deadline for one request to Withings; well under the code's 30 s life. */
  upstreamTimeoutMs: number
  /** POSTs per minute one client address may make to each route family (auth, withings). */
  rateLimitPerMinute: number
  /**
   * How many proxies in front of the relay append to X-Forwarded-For; 0 trusts none and uses
   * the connection's address. Behind a load balancer, 0 makes every client share its address.
   */
  trustProxyHops: number
  /** The secret a trusted proxy sends in X-Withings-Link-Proxy; X-Forwarded-For needs it. */
  proxySecret: string | undefined
  /** The absolute life of a session, counted from the login and kept across refreshes. */
  sessionLifetimeSeconds: number
  /** The relay's own budget of calls to Withings, all kinds, all instances, per minute. */
  withingsCallsPerMinute: number
  /** Code exchanges Withings may refuse for one client address (an IPv6 /48) in ten minutes. */
  signInsPerAddress: number
  /** Token requests carry a signature (Getnonce, HMAC) instead of the client secret. */
  signedTokenRequests: boolean
  /** Redis shared by every instance (budget, spent states, notifications); memory without it. */
  redisUrl: string | undefined
  /**
   * Where Withings reaches the relay's notification callback (`{base}/api/hooks/withings/…`):
   * the app's public origin, the redirect URI's, unless set (NOTIFY_CALLBACK_BASE_URL).
   */
  notifyCallbackBaseUrl?: string | undefined
  /**
   * Keys of the notification callback URLs (NOTIFY_CALLBACK_SECRET): the first makes them, every
   * one verifies. RELAY_SECRET's keys when unset; apart from them, a callback URL that leaked can
   * be retired without ending anyone's session.
   */
  notifyCallbackSecrets?: readonly string[] | undefined
  /**
   * Keeping the person's data (withings-link/sync): on unless SYNC=off. The Node wiring opens its
   * database (withings-link/node); other runtimes pass createRelay a sync of their own.
   */
  sync?: SyncConfig | undefined
}

export interface SyncConfig {
  /** A Postgres server (DATABASE_URL); without it, the embedded PGlite in `dataDir`. */
  databaseUrl: string | undefined
  /** Where the embedded database (and `npm start`'s generated key) are kept. */
  dataDir: string
  /** Days of history imported on connect (SYNC_HISTORY_DAYS). */
  historyDays: number
  /** Recent days of the detailed series: intraday activity, sleep states (SYNC_DETAIL_DAYS). */
  detailDays: number
  /** Minutes between catch-ups of everyone (SYNC_POLL_MINUTES). */
  pollMinutes: number
  /** Where each stored change is POSTed, signed (WEBHOOK_URL, WEBHOOK_SECRET: docs/webhooks.md). */
  webhook?: WebhookConfig | undefined
}

export interface WebhookConfig {
  url: string
  /** `whsec_…` secrets: each delivery is signed with every one (a rotation), the newest first. */
  secrets: readonly string[]
}

export type Env = Readonly<Record<string, string | undefined>>

type ParsedConfig =
  | { ok: true; config: RelayConfig; warnings: string[] }
  | { ok: false; problems: string[] }

/**
 * Withings played by a local emulator (`npm start` and `npm run dev` without credentials): its
 * app's credentials and endpoints stand for the WITHINGS_* settings, and the redirect URI and
 * cookie key serve unless WITHINGS_REDIRECT_URI and RELAY_SECRET are set.
 */
export interface EmulatedWithings {
  clientId: string
  clientSecret: string
  authorizeUrl: string
  apiUrl: string
  redirectUri: string
  relaySecret: string
}

export interface ConfigOptions {
  /** The relay talks to this emulator, not to Withings (`emulator: true` in GET /api/config). */
  emulator?: EmulatedWithings
}

const MIN_PROXY_SECRET_LENGTH = 16
// Thirty days: long enough that a person is not asked to connect again every week, short enough
// that a session cookie copied off a device stops working within a month, whatever happens to it.
const DEFAULT_SESSION_DAYS = 30
// Withings gives a standard app 120 requests a minute, all users together; headroom for the
// clock skew between its window and ours, and for another tool using the same app.
const DEFAULT_WITHINGS_CALLS_PER_MINUTE = 100
// Only codes Withings refused count: a person mistypes or waits too long now and then, real
// sign-ins never count. Made-up codes from a handful of addresses then reach Withings a few dozen
// times in ten minutes, no more.
const DEFAULT_SIGN_INS_PER_ADDRESS = 6
const DEFAULT_UPSTREAM_TIMEOUT_MS = 10_000
const DEFAULT_RATE_LIMIT_PER_MINUTE = 60
const MAX_RATE_LIMIT_PER_MINUTE = 100_000
const MAX_TRUSTED_PROXIES = 5

export function parseConfig(env: Env, { emulator }: ConfigOptions = {}): ParsedConfig {
  const problems: string[] = []
  const warnings: string[] = []
  const required = (name: string): string => {
    const value = env[name]?.trim()
    if (!value) problems.push(`${name} is missing.`)
    return value ?? ''
  }

  const clientId = emulator ? emulator.clientId : required('WITHINGS_CLIENT_ID')
  const clientSecret = emulator ? emulator.clientSecret : required('WITHINGS_CLIENT_SECRET')
  if (/\s/.test(clientId)) problems.push('WITHINGS_CLIENT_ID must not contain spaces.')

  const redirectUri =
    emulator && !env.WITHINGS_REDIRECT_URI?.trim()
      ? emulator.redirectUri
      : required('WITHINGS_REDIRECT_URI')
  const redirectUrl = redirectUri ? httpUrl(redirectUri) : null
  if (redirectUri && !redirectUrl) {
    problems.push(
      `WITHINGS_REDIRECT_URI must be an absolute http(s) URL, such as https://app.example.com/callback (got "${redirectUri}").`,
    )
  } else if (redirectUrl?.protocol === 'http:' && !isLoopbackHost(redirectUrl.hostname)) {
    // The app's origin is the redirect URI's: its cookies would travel in clear text.
    problems.push(
      `WITHINGS_REDIRECT_URI ${redirectUri} is plain http on ${redirectUrl.host}: use https, or http://localhost (or 127.0.0.1, [::1]) on your own machine.`,
    )
  } else if (redirectUri && !emulator) {
    warnings.push(...callbackRuleWarnings(redirectUri))
  }

  const authorizeUrl =
    emulator?.authorizeUrl ??
    urlSetting(env, 'WITHINGS_AUTHORIZE_URL', WITHINGS_AUTHORIZE_URL, problems)
  const apiUrl = (
    emulator?.apiUrl ?? urlSetting(env, 'WITHINGS_API_URL', WITHINGS_API_URL, problems)
  ).replace(/\/+$/, '')

  const keys = keyList(env.RELAY_SECRET)
  const relaySecrets = keys.length === 0 && emulator ? [emulator.relaySecret] : keys
  if (relaySecrets.length === 0) {
    problems.push(
      `RELAY_SECRET is missing: set ${MIN_KEY_BYTES} random bytes or more; ${MAKE_A_KEY}.`,
    )
  }
  checkKeys('RELAY_SECRET', relaySecrets, problems)
  const callbackKeys = keyList(env.NOTIFY_CALLBACK_SECRET)
  checkKeys('NOTIFY_CALLBACK_SECRET', callbackKeys, problems)

  const allowedOrigins = parseOrigins(env.ALLOWED_ORIGINS, problems)
  for (const origin of allowedOrigins) {
    const { protocol, hostname } = new URL(origin)
    if (protocol === 'http:' && !isLoopbackHost(hostname)) {
      warnings.push(
        `ALLOWED_ORIGINS: ${origin} is plain http: a page there can be altered on its way to the person, and it gets the relay's answers; prefer https.`,
      )
    }
  }
  const upstreamTimeoutMs = wholeNumber(env.WITHINGS_TIMEOUT_MS, problems, {
    name: 'WITHINGS_TIMEOUT_MS',
    fallback: DEFAULT_UPSTREAM_TIMEOUT_MS,
    min: 100,
    max: 25_000,
    meaning: "deadline in milliseconds, well under the code's 30 s life",
  })
  const rateLimitPerMinute = wholeNumber(env.RATE_LIMIT_PER_MINUTE, problems, {
    name: 'RATE_LIMIT_PER_MINUTE',
    fallback: DEFAULT_RATE_LIMIT_PER_MINUTE,
    min: 1,
    max: MAX_RATE_LIMIT_PER_MINUTE,
    meaning: 'requests per minute per client address',
  })
  const trustProxyHops = wholeNumber(env.TRUST_PROXY, problems, {
    name: 'TRUST_PROXY',
    fallback: 0,
    min: 0,
    max: MAX_TRUSTED_PROXIES,
    meaning: 'proxies in front of the relay (0 when clients connect to it directly)',
  })

  const proxySecret = env.TRUSTED_PROXY_SECRET?.trim() || undefined
  if (proxySecret !== undefined && proxySecret.length < MIN_PROXY_SECRET_LENGTH) {
    problems.push(
      `TRUSTED_PROXY_SECRET needs at least ${MIN_PROXY_SECRET_LENGTH} random characters (e.g. \`openssl rand -hex 16\`).`,
    )
  }
  if (trustProxyHops > 0 && proxySecret === undefined) {
    warnings.push(
      'TRUST_PROXY is set without TRUSTED_PROXY_SECRET: anyone who can reach the relay directly can write their own X-Forwarded-For and pick a fresh rate-limit budget at every request. Have the proxy add X-Withings-Link-Proxy: <secret> and set TRUSTED_PROXY_SECRET to it (docs/deploy.md).',
    )
  }
  const sessionDays = wholeNumber(env.SESSION_LIFETIME_DAYS, problems, {
    name: 'SESSION_LIFETIME_DAYS',
    fallback: DEFAULT_SESSION_DAYS,
    min: 1,
    max: 365,
    meaning: 'days a session lasts from its login',
  })
  const withingsCallsPerMinute = wholeNumber(env.WITHINGS_CALLS_PER_MINUTE, problems, {
    name: 'WITHINGS_CALLS_PER_MINUTE',
    fallback: DEFAULT_WITHINGS_CALLS_PER_MINUTE,
    min: 10,
    max: MAX_RATE_LIMIT_PER_MINUTE,
    meaning:
      "calls a minute the relay makes to Withings, all users together (Withings' limit is 120 for a standard app)",
  })
  const signInsPerAddress = wholeNumber(env.SIGN_INS_PER_ADDRESS, problems, {
    name: 'SIGN_INS_PER_ADDRESS',
    fallback: DEFAULT_SIGN_INS_PER_ADDRESS,
    min: 1,
    max: MAX_RATE_LIMIT_PER_MINUTE,
    meaning: 'code exchanges Withings may refuse for one client address in ten minutes',
  })
  const signedTokenRequests = flag(env, 'WITHINGS_SIGNED_TOKEN_REQUESTS', problems)
  const redisUrl = env.REDIS_URL?.trim() || undefined
  const redis = redisUrl === undefined ? undefined : parseRedisUrl(redisUrl)
  if (redis && !redis.ok) problems.push(redis.problem)
  const sync = syncSettings(env, problems)
  const notifyCallbackBaseUrl = callbackBase(env.NOTIFY_CALLBACK_BASE_URL, problems)
  const notifyBase = notifyCallbackBaseUrl ?? (redirectUrl ? redirectUrl.origin : undefined)
  if (notifyBase && !emulator) warnings.push(...notifyCallbackWarnings(notifyBase))

  if (problems.length > 0) return { ok: false, problems }
  return {
    ok: true,
    warnings,
    config: {
      clientId,
      clientSecret,
      redirectUri,
      authorizeUrl,
      apiUrl,
      relaySecrets,
      allowedOrigins,
      emulator: emulator !== undefined,
      upstreamTimeoutMs,
      rateLimitPerMinute,
      trustProxyHops,
      proxySecret,
      sessionLifetimeSeconds: sessionDays * 86_400,
      withingsCallsPerMinute,
      signInsPerAddress,
      signedTokenRequests,
      redisUrl,
      notifyCallbackBaseUrl,
      sync,
      ...(callbackKeys.length > 0 && { notifyCallbackSecrets: callbackKeys }),
    },
  }
}

export const DEFAULT_DATA_DIR = '.data'

/** False for SYNC=off (or 0, false): the cookie-only kit. */
export function syncEnabled(env: Env): boolean {
  return !['off', '0', 'false'].includes(env.SYNC?.trim().toLowerCase() ?? '')
}

/** SYNC (on by default), DATABASE_URL, DATA_DIR and the sync's windows. */
function syncSettings(env: Env, problems: string[]): SyncConfig | undefined {
  const mode = env.SYNC?.trim().toLowerCase() ?? ''
  const webhookUrl = env.WEBHOOK_URL?.trim() || undefined
  const webhookSecrets = webhookSecretList(env.WEBHOOK_SECRET)
  if (!syncEnabled(env)) {
    if (webhookUrl !== undefined) {
      problems.push('WEBHOOK_URL tells of the changes the sync stores, and SYNC=off turns it off.')
    }
    return undefined
  }
  if (!['', 'on', '1', 'true'].includes(mode)) {
    problems.push(`SYNC must be on or off (got "${env.SYNC}").`)
    return undefined
  }
  const databaseUrl = env.DATABASE_URL?.trim() || undefined
  if (databaseUrl !== undefined && !isPostgresUrl(databaseUrl)) {
    problems.push(
      'DATABASE_URL must be a Postgres URL, such as postgres://user:password@host:5432/database.',
    )
  }
  return {
    databaseUrl,
    dataDir: env.DATA_DIR?.trim() || DEFAULT_DATA_DIR,
    historyDays: wholeNumber(env.SYNC_HISTORY_DAYS, problems, {
      name: 'SYNC_HISTORY_DAYS',
      fallback: 365,
      min: 1,
      max: 3650,
      meaning: 'days of history imported when a person connects',
    }),
    detailDays: wholeNumber(env.SYNC_DETAIL_DAYS, problems, {
      name: 'SYNC_DETAIL_DAYS',
      fallback: 7,
      min: 0,
      max: 30,
      meaning: 'recent days of intraday activity and sleep states imported',
    }),
    pollMinutes: wholeNumber(env.SYNC_POLL_MINUTES, problems, {
      name: 'SYNC_POLL_MINUTES',
      fallback: 360,
      min: 5,
      max: 10_080,
      meaning: 'minutes between catch-ups of everyone',
    }),
    webhook: webhookSettings(webhookUrl, webhookSecrets, problems),
  }
}

/** WEBHOOK_URL and WEBHOOK_SECRET: both, or neither. */
function webhookSettings(
  url: string | undefined,
  secrets: string[],
  problems: string[],
): WebhookConfig | undefined {
  if (url === undefined) {
    if (secrets.length > 0) {
      problems.push('WEBHOOK_SECRET is set without WEBHOOK_URL, where the deliveries would go.')
    }
    return undefined
  }
  const found = webhookProblems(url, secrets)
  problems.push(...found)
  return found.length === 0 ? { url, secrets } : undefined
}

/** A URL naming a Postgres server (never echoed: it may hold a password). */
function isPostgresUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== ''
  } catch {
    return false
  }
}

/** A comma-separated list of keys, trimmed, without empty entries. */
function keyList(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean)
}

/** One sentence per key that is no random key, naming its place, never its value. */
function checkKeys(name: string, keys: readonly string[], problems: string[]) {
  for (const [index, key] of keys.entries()) {
    const weakness = keyWeakness(key)
    const which = keys.length > 1 ? `key ${index + 1} of ${keys.length}` : 'the key'
    if (weakness) {
      problems.push(
        `${name}: ${which} ${weakness}, where ${MIN_KEY_BYTES} random bytes or more in hex or base64 are needed; ${MAKE_A_KEY}.`,
      )
    }
  }
}

export interface ConfigFromEnvOptions extends ConfigOptions {
  /** Hears each warning (a redirect URI Withings would not register, a weak key…); console.warn by default. */
  onWarning?: (warning: string) => void
}

/**
 * The relay's config from an environment-like object (`process.env`, a Worker's `env`, a plain
 * object): the same rules as `npm start`, reading nothing else. Throws one ConfigError naming
 * every problem.
 */
export function configFromEnv(
  env: Env,
  { onWarning = warnOnConsole, ...options }: ConfigFromEnvOptions = {},
): RelayConfig {
  const parsed = parseConfig(env, options)
  if (!parsed.ok) throw new ConfigError(parsed.problems)
  for (const warning of parsed.warnings) onWarning(warning)
  return parsed.config
}

/** What configFromEnv throws: every problem, one sentence each, in `problems` and the message. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  readonly problems: readonly string[]

  constructor(problems: readonly string[]) {
    super(
      `withings-link is not configured:\n${problems.map((problem) => `- ${problem}`).join('\n')}`,
    )
    this.problems = problems
  }
}

function warnOnConsole(warning: string) {
  console.warn(`withings-link: warning: ${warning}`)
}

/**
 * A public Withings app registers only https callbacks on port 80/443, at most 255 characters,
 * with no localhost or IP address (developer guide, "Callback URL"); an app in restricted mode
 * (at most 10 users) may register http and localhost ones too (docs/withings.md: ioBroker's
 * Withings adapter registers `http://localhost` that way). Other URIs are legitimate for that
 * mode, tunnels, hosts entries and test doubles, so they earn a warning, not a refusal.
 */
function callbackRuleWarnings(redirectUri: string): string[] {
  const broken = brokenCallbackRules(redirectUri, redirectUri.length)
  if (broken.length === 0) return []
  return [
    `WITHINGS_REDIRECT_URI ${redirectUri} breaks Withings' rules for a public app's callback URLs: ${broken.join('; ')}. ` +
      'An app in restricted mode (at most 10 users, set in the Withings developer dashboard) may register ' +
      'http and localhost callbacks, so this works there once registered exactly; a public app cannot register ' +
      "it, and its authorize page refuses the login. For a public app, run an https tunnel to this app's PORT " +
      '(e.g. cloudflared or ngrok) and use https://<tunnel host>/callback, or map a domain name you own to ' +
      '127.0.0.1 in your hosts file and serve the app on it over https on port 443; then register exactly that ' +
      'URL as a callback and set WITHINGS_REDIRECT_URI to it.',
  ]
}

/**
 * The same rules for the notification callback (Withings checks a notify callback as it checks
 * redirect URIs, then with a HEAD request from its servers: notify-subscribe answers 293 when
 * that fails). Restricted mode lets it be http, but never one Withings' servers cannot reach.
 */
export function notifyCallbackWarnings(base: string): string[] {
  const length = `${base.replace(/\/+$/, '')}${CALLBACK_PATH}/`.length + CALLBACK_TOKEN_LENGTH
  const broken = brokenCallbackRules(base, length)
  if (broken.length === 0) return []
  return [
    `Notifications: their callback ${base}${CALLBACK_PATH}/… breaks Withings' rules for callback URLs: ${broken.join('; ')}. ` +
      "Withings' servers must reach it from the internet (http only for an app in restricted mode, and never " +
      'localhost or a private address), or real Withings refuses to subscribe it (status 293): no bed-in, ' +
      'bed-out or new-measurement notification will arrive from it (the built-in emulator accepts it). Set ' +
      'NOTIFY_CALLBACK_BASE_URL to a public https address on port 443 that leads to this app — in development, ' +
      "an https tunnel to this app's PORT (e.g. cloudflared or ngrok).",
  ]
}

function brokenCallbackRules(text: string, length: number): string[] {
  const url = new URL(text)
  const broken: string[] = []
  if (url.protocol !== 'https:') broken.push('it is not https')
  if (url.port && url.port !== '443' && url.port !== '80') {
    broken.push(`it uses port ${url.port} (only 80 and 443 are allowed)`)
  }
  if (length > 255) broken.push(`it has ${length} characters (at most 255)`)
  const host = hostKind(url.hostname)
  if (host) broken.push(`its host is ${host}`)
  return broken
}

/** NOTIFY_CALLBACK_BASE_URL: an http(s) URL, perhaps with a path, with no query or credentials. */
function callbackBase(raw: string | undefined, problems: string[]): string | undefined {
  const value = raw?.trim()
  if (!value) return undefined
  const url = httpUrl(value)
  const bare = url && [url.search, url.hash, url.username, url.password].every((part) => !part)
  if (!url || !bare) {
    problems.push(
      `NOTIFY_CALLBACK_BASE_URL must be an absolute https URL with no query, such as https://app.example.com (got "${value}").`,
    )
    return undefined
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '')
}

function hostKind(hostname: string): string | undefined {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return 'localhost'
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) || hostname.startsWith('[')) return 'an IP address'
  return undefined
}

export function httpUrl(value: string): URL | null {
  try {
    const url = new URL(value)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null
  } catch {
    return null
  }
}

export function urlSetting(env: Env, name: string, fallback: string, problems: string[]): string {
  const value = env[name]?.trim()
  if (!value) return fallback
  if (!httpUrl(value)) {
    problems.push(`${name} must be an absolute http(s) URL (got "${value}").`)
  }
  return value
}

function parseOrigins(raw: string | undefined, problems: string[]): string[] {
  const origins: string[] = []
  for (const entry of (raw ?? '').split(',').map((origin) => origin.trim())) {
    if (!entry) continue
    const url = httpUrl(entry)
    if (entry === '*' || !url || url.origin !== entry.replace(/\/$/, '')) {
      problems.push(
        `ALLOWED_ORIGINS: "${entry}" is not an origin; write scheme://host[:port] with no path, and never "*".`,
      )
      continue
    }
    origins.push(url.origin)
  }
  return origins
}

export function wholeNumber(
  raw: string | undefined,
  problems: string[],
  rule: { name: string; fallback: number; min: number; max: number; meaning?: string },
): number {
  if (raw === undefined || raw.trim() === '') return rule.fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < rule.min || value > rule.max) {
    const meaning = rule.meaning ? `, the ${rule.meaning}` : ''
    problems.push(
      `${rule.name} must be a whole number from ${rule.min} to ${rule.max}${meaning} (got "${raw}").`,
    )
    return rule.fallback
  }
  return value
}

function flag(env: Env, name: string, problems: string[]): boolean {
  const value = env[name]?.trim().toLowerCase()
  if (value === undefined || value === '' || value === '0' || value === 'false') return false
  if (value === '1' || value === 'true') return true
  problems.push(`${name} must be 1 or 0 (got "${env[name]}").`)
  return false
}
