import { type Context, Hono } from 'hono'
import type { PublicConfig } from '../contract/wire-contract'
import type { RelayConfig } from './config'
import { cookiePolicy } from './cookies/cookie-policy'
import { createLoginCookie } from './cookies/login-cookie'
import { createHandleCookie, createSessionCookie } from './cookies/session-cookie'
import { errorKind } from './error-kind'
import { RelayError } from './errors'
import { type ConnectionAddress, clientKey, UNKNOWN_CLIENT } from './http/client-address'
import { relayCors } from './http/cors'
import { jsonOnly } from './http/json-only'
import { ownPagesOnly } from './http/own-pages'
import { createRateLimits, type RouteFamily } from './http/rate-limit'
import { type ReadinessCheck, readiness } from './http/readiness'
import { jsonLogger, type Logger, type RelayEnv, requestLog } from './http/request-log'
import { ADDRESS_UNKNOWN } from './http/runtime-addresses'
import { apiSecurityHeaders } from './http/security-headers'
import { trustedOrigin } from './http/trusted-origin'
import { createAppBudget } from './limits/app-budget'
import { createSpentStates } from './limits/spent-states'
import { CALLBACK_PATH, createCallbackUrls, LEGACY_CALLBACK_PATH } from './notify/callback-url'
import { createEventStreams, type EventStreamLimits } from './notify/event-streams'
import { timerPause } from './notify/pacing'
import { createPersonChannel } from './notify/person-channel'
import { createSubscriptions, type Pause } from './notify/subscriptions'
import { authRoutes } from './routes/auth'
import { dataRoutes } from './routes/data-routes'
import { liveRoutes } from './routes/live'
import { notifyCallback } from './routes/notify-callback'
import { withingsProxy } from './routes/withings-proxy'
import { type CipherFactory, createSealer } from './seal'
import { createRevokeTickets } from './session/revoke-tickets'
import { createSessions } from './session/sessions'
import { sharedRefresh } from './session/shared-refresh'
import { createVaultTokens } from './session/vault-tokens'
import { createMemoryStore } from './store/memory-store'
import type { SharedStore } from './store/shared-store'
import { syncCalls } from './sync/sync-calls'
import type { SyncPort } from './sync/sync-port'
import { meteredBudget } from './telemetry/metered-budget'
import { requestSpan } from './telemetry/request-span'
import {
  createTelemetry,
  errorType,
  statusFamily,
  type TelemetryProviders,
} from './telemetry/telemetry'
import { createNotifyClient } from './withings/notify-client'
import { createSignedClient } from './withings/signed-client'
import { createTokenClient } from './withings/token-client'
import type { UpstreamFetch } from './withings/upstream'

export interface RelayDeps {
  /** The fetch used to reach Withings (tests inject one; defaults to the global fetch). */
  fetch?: UpstreamFetch
  /** AES-GCM for the sealed cookies (defaults to Web Crypto; Node passes node:crypto's). */
  cookieCipher?: CipherFactory
  /** Clock in milliseconds since the epoch. */
  now?: () => number
  log?: Logger
  /**
   * The client's address from the connection, for rate limits. The runtime knows it, not the
   * request: Node passes its connection's. Without it (and without a trusted proxy's), the
   * per-address limits are not counted and refused sign-ins are capped app-wide instead.
   */
  connectionAddress?: ConnectionAddress
  /**
   * What instances share: the app's Withings budget, spent states, ended sessions, revoke
   * tickets. In memory by default, which is right for one instance; several need one store
   * (Redis, withings-link/node).
   */
  store?: SharedStore
  /**
   * Aborted when the process stops: open live streams tell their pages to reconnect (elsewhere)
   * and close, so that the server can drain. Node passes one it aborts on SIGTERM.
   */
  shutdown?: AbortSignal
  /**
   * Keeps work alive that goes on after an answer (subscribing after a code exchange, passing a
   * notification on after answering Withings), as Workers' `waitUntil`. The Node entry passes a
   * tracker it waits for while draining; by default the work simply runs.
   */
  waitUntil?: (task: Promise<unknown>) => void
  /** Bounds of the live streams (defaults in event-streams.ts). */
  liveLimits?: EventStreamLimits
  /**
   * How the relay waits between two Notify calls (Withings checks each new callback; 5 s between
   * subscribes, 1 s between revokes): timers cut short by `shutdown` by default. Tests pass one
   * that does not wait.
   */
  pause?: Pause
  /** What GET /api/readyz checks besides the store (a database…); each names itself when down. */
  readiness?: readonly ReadinessCheck[]
  /** OpenTelemetry's providers; by default the global ones, a no-op until an SDK registers. */
  telemetry?: TelemetryProviders
  /**
   * Keeps the person's data in the app's database (withings-link/sync's createSync): tokens in
   * its vault, an import on connect, a fetch on every notification, pages read from the store.
   * Without it, the cookie-only kit: tokens sealed in the session cookie, nothing stored.
   */
  sync?: SyncPort
}

/**
 * Notifications one address (Withings' servers, for every user of the app) may POST to the
 * callback per minute: far above what a person makes, so a burst from Withings is answered 2xx.
 */
const NOTIFICATIONS_PER_MINUTE = 6_000

/** The relay as a Web-standard Hono app: no globals, no environment reads, one instance per config. */
export function createRelay(config: RelayConfig, deps: RelayDeps = {}): Hono<RelayEnv> {
  const fetch = deps.fetch ?? globalThis.fetch
  const now = deps.now ?? Date.now
  const log = deps.log ?? jsonLogger
  const store = deps.store ?? createMemoryStore({ now })
  const waitUntil = deps.waitUntil ?? ((task: Promise<unknown>) => void task.catch(() => {}))
  const sealer = createSealer(config.relaySecrets, now, deps.cookieCipher)
  const cookies = cookiePolicy(config.redirectUri)
  const publicConfig: PublicConfig = {
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    authorize_url: config.authorizeUrl,
    emulator: config.emulator,
    ...(deps.sync && { sync: true }),
  }
  // The app's own origin is the redirect URI's, never one derived from the request's Host
  // header, which a DNS-rebinding page or a client behind a lax proxy chooses itself.
  const ownOrigins = [new URL(config.redirectUri).origin, ...config.allowedOrigins]
  const trusted = trustedOrigin({ origins: ownOrigins })
  const addressing = {
    trustProxyHops: config.trustProxyHops,
    proxySecret: config.proxySecret,
    connectionAddress: deps.connectionAddress,
  }
  if (!deps.connectionAddress && config.trustProxyHops === 0) log(ADDRESS_UNKNOWN)
  const telemetry = createTelemetry(deps.telemetry)
  // Sign-ins are counted by a wider IPv6 prefix: one site must not hold 65,536 budgets.
  const signInClient = clientKey({ ...addressing, ipv6Prefix: 48 })
  const rateLimit = createRateLimits({
    perMinute: config.rateLimitPerMinute,
    now,
    clientKey: clientKey(addressing),
  })

  const upstream = { fetch, timeoutMs: config.upstreamTimeoutMs, telemetry }
  const credentials = {
    ...upstream,
    apiUrl: config.apiUrl,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
  }
  const signed = createSignedClient({ ...credentials, now })
  const tokenClient = createTokenClient({
    ...credentials,
    ...(config.signedTokenRequests && { signedForm: signed.tokenRequestParams }),
  })
  // A signed call asks Withings for a nonce first: two calls of the app's budget.
  const tokenCalls = config.signedTokenRequests ? 2 : 1
  const budget = meteredBudget(
    createAppBudget({
      store,
      perMinute: config.withingsCallsPerMinute,
      exchangesPerClient: config.signInsPerAddress,
      now,
      log,
    }),
    telemetry,
  )
  // What reaches a person's open pages, on whichever instance holds them.
  const channel = createPersonChannel(store, log)
  const refresh = sharedRefresh(async (refreshToken) => {
    try {
      await budget.take('refresh', tokenCalls)
      const tokens = await tokenClient.request({ type: 'refresh_token', refreshToken })
      telemetry.refresh('ok')
      return tokens
    } catch (error) {
      telemetry.refresh(errorType(error))
      throw error
    }
  }, now)
  const vault = deps.sync?.vault
  const sessions = createSessions({
    cookie: createSessionCookie(sealer, cookies.session, now),
    vault: vault && { vault, handle: createHandleCookie(sealer, cookies.session, now) },
    refresh,
    store,
    lifetimeSeconds: config.sessionLifetimeSeconds,
    ended: ({ userid, ...end }) => void channel.publish(userid, { type: 'ended', ...end }),
    now,
    log,
  })

  // Notifications: subscribed with the person's token, received at an unguessable callback,
  // passed to the person's open pages.
  const callbackBase = config.notifyCallbackBaseUrl ?? new URL(config.redirectUri).origin
  const callbackUrls = createCallbackUrls(
    callbackBase,
    config.notifyCallbackSecrets ?? config.relaySecrets,
  )
  const subscriptions = createSubscriptions({
    client: createNotifyClient({ ...upstream, apiUrl: config.apiUrl, budget }),
    urls: callbackUrls,
    store,
    channel,
    callbackBase,
    waitUntil,
    log,
    pause: deps.pause ?? timerPause(deps.shutdown),
  })
  const streams = createEventStreams({
    store,
    channel,
    endedThrough: sessions.endedThrough,
    shutdown: deps.shutdown,
    now,
    log,
    ...deps.liveLimits,
  })
  // With sync: the sync's jobs reach Withings through the relay (the person's tokens, the budget)
  // and tell the person's pages when their stored data changed.
  const sync = deps.sync?.attach({
    withings: syncCalls({
      ...upstream,
      apiUrl: config.apiUrl,
      tokens: createVaultTokens({ vault: deps.sync.vault, refresh, now }),
      budget,
    }),
    tell: (userid, news) => channel.publish(userid, { type: 'stored', news }),
    log,
  })
  telemetry.observeStreams(() => streams.size)
  const notifyRate = createRateLimits({
    perMinute: NOTIFICATIONS_PER_MINUTE,
    now,
    clientKey: clientKey(addressing),
  })

  // Everything the relay does is under /api, so that an app that mounts it
  // (`app.route('/', relay)`) keeps its own headers, routes and 404 for the rest.
  const app = new Hono<RelayEnv>()
  // The code each failed request was answered with, for the exchanges' metric.
  const failures = new WeakMap<Request, string>()
  app.use('/api/*', requestSpan(telemetry.tracer))
  app.use('/api/*', apiSecurityHeaders())
  app.use('/api/*', requestLog({ log, now }), async (c, next) => {
    await next()
    // Token answers must never be cached (RFC 6749 §5.1); nothing else here should be either.
    // Set on the answer in place, as secureHeaders does: c.header() on a finished answer rebuilds
    // it around a stream of its body, which Node then has to pump (~100 µs of CPU an answer).
    c.res.headers.set('Cache-Control', 'no-store')
  })
  app.use('/api/*', relayCors({ origins: config.allowedOrigins }))
  // Every POST of a known family: the origin check first (a foreign page making a visitor's
  // browser post here must not spend that visitor's budget), then the family's rate limit, then
  // the body's type and size. Other paths are refused by the 404 below, before any counting.
  const guard = (family: RouteFamily) => [trusted, rateLimit(family), jsonOnly()] as const
  app.post('/api/auth/token', async (c, next) => {
    await next()
    telemetry.exchange(c.res.ok ? 'ok' : (failures.get(c.req.raw) ?? statusFamily(c.res.status)))
  })
  app.post('/api/auth/*', ...guard('auth'))
  app.post('/api/withings/*', ...guard('withings'))
  app.post('/api/notify', ...guard('withings'))
  // The live stream is a GET, read by the app's own pages only.
  app.get('/api/events', ownPagesOnly({ origins: ownOrigins }), rateLimit('events'))
  // The person's stored data: no Withings call, so a family of its own (an import's progress is
  // asked every few seconds).
  if (sync) app.get('/api/data/*', ownPagesOnly({ origins: ownOrigins }), rateLimit('data'))
  // Withings posts here from its servers: no Origin, no custom header, a form body. The token
  // in the URL is what proves it (notify-callback.ts). Its own prefix, apart from the pages'.
  for (const path of [CALLBACK_PATH, LEGACY_CALLBACK_PATH]) {
    app.post(`${path}/*`, async (c, next) => {
      await next()
      telemetry.notification(statusFamily(c.res.status))
    })
    app.post(`${path}/*`, notifyRate('notify'))
  }

  app.get('/api/healthz', (c) => c.json({ ok: true }))
  app.get(
    '/api/readyz',
    readiness([
      ...(store.readiness ? [store.readiness] : []),
      ...(deps.sync?.readiness ?? []),
      ...(deps.readiness ?? []),
    ]),
  )
  app.get('/api/config', (c) => c.json(publicConfig))
  app.route(
    '/api/auth',
    authRoutes({
      redirectUri: config.redirectUri,
      tokenClient,
      revokeGrant: async (userid) => {
        // Getnonce, then revoke: two calls of the revokes' share.
        await budget.take('revoke', 2)
        await signed.revoke(userid)
      },
      loginCookie: createLoginCookie(sealer, now, cookies.login),
      sessions,
      spentStates: createSpentStates(store),
      countExchange: (c) => {
        const client = signInClient(c)
        return budget.takeExchange(client === UNKNOWN_CLIENT ? undefined : client, tokenCalls)
      },
      revokeTickets: createRevokeTickets({
        sealer,
        store,
        lifetimeSeconds: config.sessionLifetimeSeconds,
        log,
      }),
      live: {
        begun: (session) => {
          subscriptions.begin(session)
          if (sync) waitUntil(startImport(session.userid, session.scope))
        },
        restored: (session) => subscriptions.ensure(session),
        ended: async (session, { withingsInformed, deleteData }) => {
          await Promise.all([
            subscriptions.end(session, { withingsInformed }),
            sync?.disconnected(session.userid, { deleteData }),
          ])
        },
      },
      now,
      log,
    }),
  )
  app.route(
    '/api/withings',
    withingsProxy({ ...upstream, apiUrl: config.apiUrl, sessions, budget }),
  )
  app.route('/api', liveRoutes({ sessions, subscriptions, streams }))
  if (sync) app.route('/api/data', dataRoutes({ sessions, sync, now }))
  const callback = notifyCallback({
    urls: callbackUrls,
    streams,
    store,
    waitUntil,
    log,
    ...(sync && { notified: (userid, notification) => sync.notified(userid, notification) }),
  })
  app.route(CALLBACK_PATH, callback)
  app.route(LEGACY_CALLBACK_PATH, callback)

  /** The import after a code exchange; a failure is the catch-up's to mend. */
  async function startImport(userid: string, scope: string) {
    try {
      await sync?.connected(userid, scope)
    } catch (cause) {
      log({ level: 'error', msg: 'sync: import not started', cause: errorKind(cause) })
    }
  }

  const respond = (c: Context<RelayEnv>, error: RelayError) => {
    failures.set(c.req.raw, error.code)
    if (error.status >= 500) {
      log({
        level: 'error',
        msg: error.message,
        id: c.get('requestId'),
        code: error.code,
        cause: errorKind(error.cause),
      })
    }
    if (error.retryAfter !== undefined) c.header('Retry-After', String(error.retryAfter))
    return c.json(error.toBody(), error.status)
  }
  // Standalone, an unknown path is the relay's JSON 404; mounted in an app, that app's own.
  app.notFound((c) => respond(c, new RelayError('not_found', 'There is no such relay route.')))
  app.onError((error, c) =>
    respond(
      c,
      error instanceof RelayError
        ? error
        : new RelayError('internal_error', 'The relay failed unexpectedly.', { cause: error }),
    ),
  )
  return app
}
