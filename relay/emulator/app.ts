import { Hono } from 'hono'
import { authorizeRoutes } from './authorize-routes'
import { createClientRegistry, type EmulatorClient } from './clients'
import { createConsentTickets } from './consent-tickets'
import { controlRoutes } from './control-api'
import { dataRoutes } from './data/routes'
import { createSeedData, type SeedData } from './data/seed-data'
import { ConnectionDropped } from './fault-response'
import { createFaults, type FaultController } from './faults'
import { pageHeaders } from './html'
import { landingPage } from './landing-page'
import { createRateLimiter } from './rate-limit'
import { createRequestLog, type EmulatorRequestLog } from './request-log'
import { createSameArguments } from './same-arguments'
import { tokenEndpoint } from './token-endpoint'
import { createTokenStore } from './token-store'
import { SEEDED_USERS, type SeededUser } from './users'

// A faithful local Withings (DESIGN §5): account.withings.com's authorize pages and
// wbsapi.withings.net's token endpoint and data services, on one origin, with an injectable
// clock and fault switches. Every emulator is independent, so tests build as many as they like.

export type { EmulatorClient } from './clients'
export type { LatestMeasure, SeedData, UserData } from './data/seed-data'
export type { ActiveFault, Fault, FaultController, FaultOptions, FaultTarget } from './faults'
export type { EmulatorRequestLog, RequestCounts, RequestLogEntry } from './request-log'
export type { SeededUser } from './users'

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
}

export interface Emulator {
  fetch: (request: Request, env?: unknown) => Response | Promise<Response>
  faults: FaultController
  requests: EmulatorRequestLog
  /** Demo user first. */
  users: readonly SeededUser[]
  data: SeedData
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

  const clients = createClientRegistry(options.clients)
  const users = SEEDED_USERS
  const data = createSeedData({ users, createdAt: now() })
  const tokens = createTokenStore({ now, accessTokenTtlSeconds })
  const tickets = createConsentTickets({ now })
  const faults = createFaults()
  const requests = createRequestLog()
  const appBudget = createRateLimiter({ now, perMinute })

  const app = new Hono()
  app.get('/', pageHeaders, (c) =>
    c.html(landingPage({ clients: [...clients.values()], controlApi })),
  )
  app.route('/', authorizeRoutes({ clients, users, tokens, tickets, allowLocalCallbacks }))
  app.post(
    '/v2/oauth2',
    tokenEndpoint({
      clients,
      users,
      tokens,
      requests,
      faults,
      sameArguments: createSameArguments({ now }),
      rateLimiter: appBudget,
      now,
    }),
  )
  app.route(
    '/',
    dataRoutes({ tokens, data, requests, faults, rateLimiter: appBudget, now, pageSize }),
  )
  if (controlApi) app.route('/_emulator', controlRoutes({ faults, requests }))

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
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`Emulator option ${name} must be a positive integer`)
  }
  return value
}
