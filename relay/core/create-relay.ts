import { type Context, Hono } from 'hono'
import type { PublicConfig } from '../contract/wire-contract'
import type { RelayConfig } from './config'
import { cookiePolicy } from './cookies/cookie-policy'
import { createLoginCookie } from './cookies/login-cookie'
import { createSessionCookie } from './cookies/session-cookie'
import { errorKind } from './error-kind'
import { RelayError } from './errors'
import { type ConnectionAddress, clientKey } from './http/client-address'
import { relayCors } from './http/cors'
import { jsonOnly } from './http/json-only'
import { ownPagesOnly } from './http/own-pages'
import { createRateLimits, type RouteFamily } from './http/rate-limit'
import { jsonLogger, type Logger, type RelayEnv, requestLog } from './http/request-log'
import { apiSecurityHeaders } from './http/security-headers'
import { trustedOrigin } from './http/trusted-origin'
import { createAppBudget } from './limits/app-budget'
import { createSpentStates } from './limits/spent-states'
import { CALLBACK_PATH, createCallbackUrls } from './notify/callback-url'
import { createEventStreams, type EventStreamLimits } from './notify/event-streams'
import { createPersonChannel } from './notify/person-channel'
import { createSubscriptions } from './notify/subscriptions'
import { authRoutes } from './routes/auth'
import { liveRoutes } from './routes/live'
import { notifyCallback } from './routes/notify-callback'
import { withingsProxy } from './routes/withings-proxy'
import { type CipherFactory, createSealer } from './seal'
import { createRevokeTickets } from './session/revoke-tickets'
import { createSessions } from './session/sessions'
import { sharedRefresh } from './session/shared-refresh'
import { createMemoryStore } from './store/memory-store'
import type { SharedStore } from './store/shared-store'
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
   * request: Node passes its connection's. Without it, every client shares one budget.
   */
  connectionAddress?: ConnectionAddress
  /**
   * What instances share: the app's Withings budget, spent states, ended sessions. In memory by
   * default, which is right for one instance; several need one store (Redis, withings-link/node).
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
  // Sign-ins are counted by a wider IPv6 prefix: one site must not hold 65,536 budgets.
  const signInClient = clientKey({ ...addressing, ipv6Prefix: 48 })
  const rateLimit = createRateLimits({
    perMinute: config.rateLimitPerMinute,
    now,
    clientKey: clientKey(addressing),
  })

  const upstream = { fetch, timeoutMs: config.upstreamTimeoutMs }
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
  const budget = createAppBudget({
    store,
    perMinute: config.withingsCallsPerMinute,
    exchangesPerClient: config.signInsPerAddress,
    log,
  })
  const sessions = createSessions({
    cookie: createSessionCookie(sealer, cookies.session, now),
    refresh: sharedRefresh(async (refreshToken) => {
      await budget.take('refresh', tokenCalls)
      return tokenClient.request({ type: 'refresh_token', refreshToken })
    }, now),
    store,
    lifetimeSeconds: config.sessionLifetimeSeconds,
    now,
    log,
  })

  // Notifications: subscribed with the person's token, received at an unguessable callback,
  // passed to the person's open pages on whichever instance holds them.
  const callbackBase = config.notifyCallbackBaseUrl ?? new URL(config.redirectUri).origin
  const callbackUrls = createCallbackUrls(callbackBase, config.relaySecrets)
  const channel = createPersonChannel(store, log)
  const subscriptions = createSubscriptions({
    client: createNotifyClient({ ...upstream, apiUrl: config.apiUrl, budget }),
    urls: callbackUrls,
    store,
    channel,
    callbackBase,
    waitUntil,
    log,
  })
  const streams = createEventStreams({
    store,
    channel,
    shutdown: deps.shutdown,
    now,
    log,
    ...deps.liveLimits,
  })
  const notifyRate = createRateLimits({
    perMinute: NOTIFICATIONS_PER_MINUTE,
    now,
    clientKey: clientKey(addressing),
  })

  // Everything the relay does is under /api, so that an app that mounts it
  // (`app.route('/', relay)`) keeps its own headers, routes and 404 for the rest.
  const app = new Hono<RelayEnv>()
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
  app.post('/api/auth/*', ...guard('auth'))
  app.post('/api/withings/*', ...guard('withings'))
  app.post('/api/notify', ...guard('withings'))
  // The live stream is a GET, read by the app's own pages only.
  app.get('/api/events', ownPagesOnly({ origins: ownOrigins }), rateLimit('events'))
  // Withings posts here from its servers: no Origin, no custom header, a form body. The token
  // in the URL is what proves it (notify-callback.ts).
  app.post(`${CALLBACK_PATH}/*`, notifyRate('notify'))

  app.get('/api/healthz', (c) => c.json({ ok: true }))
  app.get('/api/config', (c) => c.json(publicConfig))
  app.route(
    '/api/auth',
    authRoutes({
      redirectUri: config.redirectUri,
      tokenClient,
      revokeGrant: async (userid) => {
        await budget.take('signed', 2)
        await signed.revoke(userid)
      },
      loginCookie: createLoginCookie(sealer, now, cookies.login),
      sessions,
      spentStates: createSpentStates(store),
      countExchange: (c) => budget.takeExchange(signInClient(c), tokenCalls),
      revokeTickets: createRevokeTickets(sealer),
      live: {
        begun: (session) => subscriptions.begin(session),
        restored: (session) => subscriptions.ensure(session),
        ended: async (session, withingsInformed) => {
          await Promise.all([
            channel.publish(session.userid, { type: 'ended', session: session.id }),
            subscriptions.end(session, { withingsInformed }),
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
  app.route(CALLBACK_PATH, notifyCallback({ urls: callbackUrls, streams, store, waitUntil, log }))

  const respond = (c: Context<RelayEnv>, error: RelayError) => {
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
