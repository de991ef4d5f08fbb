import { Hono } from 'hono'
import { authorizeRoutes } from './authorize-routes'
import { createRateLimiter } from './client-budget'
import { createClientRegistry, type EmulatorClient } from './clients'
import { createConsentTickets } from './consent-tickets'
import { controlRoutes } from './control-api'
import type { MeasureGroup } from './data/measure'
import { dataRoutes } from './data/routes'
import { createSeedData, type SeedData } from './data/seed-data'
import { ConnectionDropped, type RawConnection } from './fault-response'
import { createFaults, type FaultController } from './faults'
import { loopbackHostsOnly } from './host-check'
import { pageHeaders } from './html'
import { landingPage } from './landing-page'
import { notifyControlRoutes } from './notify/control-routes'
import { notifyPanel, type PanelNotice } from './notify/landing-panel'
import { notifyEndpoint } from './notify/notify-endpoint'
import { createNotifyService, type EmulatorNotifications } from './notify/notify-service'
import type { OutgoingFetch } from './notify/outgoing-call'
import { realTimeScheduler, type Scheduler } from './notify/scheduler'
import type { Subscription } from './notify/subscription-store'
import { randomHex } from './random'
import { createRequestLog, type EmulatorRequestLog } from './recorded-requests'
import { revokeEndpoint } from './revoke-endpoint'
import { createSameArguments } from './same-arguments'
import { getnonceEndpoint } from './signature/getnonce-endpoint'
import { createNonceStore } from './signature/nonces'
import { tokenEndpoint } from './token-endpoint'
import { createTokenStore, type TokenSnapshot } from './token-store'
import { SEEDED_USERS, type SeededUser } from './users'

// A faithful local Withings: account.withings.com's authorize pages and wbsapi.withings.net's
// token endpoint and data services, on one origin, with an injectable clock and fault switches
// (the facts it plays: docs/withings.md). Every emulator is independent, so tests build as many
// as they like.

export interface EmulatorOptions {
  clients: EmulatorClient[]
  /** ms since the epoch; injectable clock (default Date.now). */
  now?: () => number
  /** Default 10800 (3 h), Withings' `expires_in`. */
  accessTokenTtlSeconds?: number
  /** Default true: accept http://localhost and IP callbacks, which real Withings refuses. */
  allowLocalCallbacks?: boolean
  /** Default false: expose the /_emulator/* JSON control routes. */
  controlApi?: boolean
  /** Items per page of the data services before `more` is set. Default 100. */
  pageSize?: number
  /**
   * API requests per app (client id) per minute, all its users and services together, before
   * status 601. Default 120 (Withings' standard apps).
   */
  requestsPerMinute?: number
  /** The people with an account (demo user first). Default the seeded five; load tests add more. */
  users?: readonly SeededUser[]
  /** Outgoing HTTP of the Notify service: callback HEAD checks and deliveries. Default fetch. */
  fetch?: OutgoingFetch
  /** When notification retries run. Default: in real time. */
  scheduler?: Scheduler
  /** Uniform in [0, 1): the random parts of Withings' retry schedule. Default Math.random. */
  random?: () => number
  /** How long a callback has to answer a HEAD check or a notification. Default 2000 (Withings). */
  callbackDeadlineMs?: number
  /**
   * The runtime's hold on each request's connection, so that the `reset` and `truncated` faults
   * cut real connections (Node's is withings-link/node's). Without it a reset makes the caller's
   * fetch reject and a truncated body fails to read, as through `app.request`.
   */
  connection?: RawConnection
  /**
   * What outlives a restart (`npm start` keeps it under DATA_DIR): the seeded data's day, the
   * tokens, the notification subscriptions and the weighings added. `save` is called after each
   * change, a few at a time.
   */
  persistence?: {
    snapshot?: EmulatorSnapshot | undefined
    save(snapshot: EmulatorSnapshot): void
  }
}

export interface EmulatorSnapshot {
  /** The emulator clock when its data was seeded (the data ends then). */
  createdAt: number
  tokens: TokenSnapshot
  subscriptions: Subscription[]
  weighings: { userid: number; group: MeasureGroup }[]
}

export interface Emulator {
  fetch: (request: Request, env?: unknown) => Response | Promise<Response>
  faults: FaultController
  requests: EmulatorRequestLog
  /** Demo user first. */
  users: readonly SeededUser[]
  data: SeedData
  notifications: EmulatorNotifications
}

export function createEmulator(options: EmulatorOptions): Emulator {
  const now = options.now ?? Date.now
  const accessTokenTtlSeconds = positiveInteger(
    options.accessTokenTtlSeconds ?? 10_800,
    'accessTokenTtlSeconds',
  )
  const pageSize = positiveInteger(options.pageSize ?? 100, 'pageSize')
  const perMinute = positiveInteger(options.requestsPerMinute ?? 120, 'requestsPerMinute')
  const allowLocalCallbacks = options.allowLocalCallbacks ?? true
  const controlApi = options.controlApi ?? false
  const deadlineMs = positiveInteger(options.callbackDeadlineMs ?? 2000, 'callbackDeadlineMs')
  const outgoingFetch = options.fetch ?? ((request: Request) => fetch(request))

  const clients = createClientRegistry(options.clients)
  const users = options.users ?? SEEDED_USERS
  const kept = options.persistence?.snapshot
  const createdAt = kept?.createdAt ?? now()
  const data = createSeedData({ users, createdAt })
  const weighings = [...(kept?.weighings ?? [])]
  for (const { userid, group } of weighings) data.of(userid).measuregrps.push(group)
  let saving = false
  const changed = () => {
    const persistence = options.persistence
    if (!persistence || saving) return
    saving = true
    queueMicrotask(() => {
      saving = false
      persistence.save({
        createdAt,
        tokens: tokens.snapshot(),
        subscriptions: [...notify.store.all],
        weighings,
      })
    })
  }
  const tokens = createTokenStore({
    now,
    accessTokenTtlSeconds,
    restored: kept?.tokens,
    changed,
  })
  const tickets = createConsentTickets({ now })
  const faults = createFaults(options.connection)
  const requests = createRequestLog()
  // One window for the whole app, all its users and services (Withings' 120 requests a minute).
  const rateLimiter = createRateLimiter({ now, perMinute })
  const nonces = createNonceStore({ now })
  const notify = createNotifyService({
    data,
    fetch: outgoingFetch,
    scheduler: options.scheduler ?? realTimeScheduler,
    random: options.random ?? Math.random,
    deadlineMs,
    now,
    restored: kept?.subscriptions,
    changed,
  })
  const subscriptions = notify.store
  const notifications: EmulatorNotifications = {
    ...notify.notifications,
    get subscriptions() {
      return notify.notifications.subscriptions
    },
    get deliveries() {
      return notify.notifications.deliveries
    },
    async trigger(event) {
      const triggered = await notify.notifications.trigger(event)
      if (triggered.measuregrp) {
        weighings.push({ userid: event.userid, group: triggered.measuregrp })
        changed()
      }
      return triggered
    },
  }
  const formToken = randomHex(16)
  const landing = (notice?: PanelNotice) =>
    landingPage({
      clients: [...clients.values()],
      controlApi,
      notifications: controlApi
        ? notifyPanel({ users, notifications, formToken, notice })
        : undefined,
    })

  const app = new Hono()
  app.use(loopbackHostsOnly)
  app.get('/', pageHeaders, (c) => c.html(landing()))
  app.route('/', authorizeRoutes({ clients, users, tokens, tickets, allowLocalCallbacks }))
  const apiDeps = { clients, users, tokens, requests, faults, rateLimiter, nonces, now }
  app.post('/v2/signature', getnonceEndpoint(apiDeps))
  app.post(
    '/v2/oauth2',
    revokeEndpoint({ ...apiDeps, subscriptions }),
    tokenEndpoint({ ...apiDeps, sameArguments: createSameArguments({ now }) }),
  )
  app.route('/', dataRoutes({ tokens, data, requests, faults, rateLimiter, now, pageSize }))
  app.route(
    '/',
    notifyEndpoint({
      ...apiDeps,
      subscriptions,
      callbacks: { fetch: outgoingFetch, allowLocalCallbacks, deadlineMs },
    }),
  )
  if (controlApi) {
    app.route('/_emulator', controlRoutes({ faults, requests }))
    app.route(
      '/_emulator/notify',
      notifyControlRoutes({ notifications, users, formToken, landing }),
    )
  }

  app.onError((error, c) => {
    // A reset without a socket to destroy: let fetch reject, as a dropped connection would.
    if (error instanceof ConnectionDropped) throw error
    console.error('Withings emulator error', error)
    return c.text('Internal error in the Withings emulator', 500)
  })

  return {
    fetch: (request, env) => app.fetch(request, env as object | undefined),
    faults,
    requests,
    users,
    data,
    notifications,
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`Emulator option ${name} must be a positive integer`)
  }
  return value
}
