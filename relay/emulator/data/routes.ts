import { Hono } from 'hono'
import type { Scope } from '../../contract/wire-contract'
import { type RateLimiter, tooManyRequests } from '../client-budget'
import { failure, MESSAGES, success } from '../envelope-answers'
import { applyFaults } from '../fault-response'
import type { FaultSwitchboard } from '../faults'
import { readQueryAndBody } from '../params'
import type { RecordingRequestLog } from '../recorded-requests'
import type { TokenStore } from '../token-store'
import { getactivity, getintradayactivity } from './activity'
import type { ServiceHandler } from './data-service'
import { getHeart, listHeart } from './heart'
import { getmeas } from './measure'
import { InvalidParams } from './query'
import type { SeedData } from './seed-data'
import { getSleep, getsummary } from './sleep'
import { getdevice, getgoals } from './user'
import { getworkouts } from './workouts'

// wbsapi's data services. Each action needs the scope Withings' scope table gives it
// (docs/withings.md): user.metrics for Getmeas and Heart, user.activity for Measure v2 and Sleep v2,
// user.info for User v2; a call its token's scope does not cover gets status 403.

interface Action {
  scope: Scope
  handle: ServiceHandler
}

export const SERVICES: Record<string, Record<string, Action>> = {
  measure: { getmeas: { scope: 'user.metrics', handle: getmeas } },
  'v2/measure': {
    getactivity: { scope: 'user.activity', handle: getactivity },
    getintradayactivity: { scope: 'user.activity', handle: getintradayactivity },
    getworkouts: { scope: 'user.activity', handle: getworkouts },
  },
  'v2/sleep': {
    get: { scope: 'user.activity', handle: getSleep },
    getsummary: { scope: 'user.activity', handle: getsummary },
  },
  'v2/heart': {
    list: { scope: 'user.metrics', handle: listHeart },
    get: { scope: 'user.metrics', handle: getHeart },
  },
  'v2/user': {
    getdevice: { scope: 'user.info', handle: getdevice },
    getgoals: { scope: 'user.info', handle: getgoals },
  },
}

interface DataRouteDeps {
  tokens: TokenStore
  data: SeedData
  requests: RecordingRequestLog
  faults: FaultSwitchboard
  /** The app-wide budget, shared with the token endpoint: a call counts for its token's app. */
  rateLimiter: RateLimiter
  now: () => number
  pageSize: number
}

export function dataRoutes(deps: DataRouteDeps): Hono {
  const { tokens, data, requests, faults, rateLimiter, now, pageSize } = deps
  const app = new Hono()
  for (const [service, actions] of Object.entries(SERVICES)) {
    // The reference documents POST; wbsapi answers GET with query parameters the same way.
    app.on(['GET', 'POST'], `/${service}`, async (c) => {
      const params = await readQueryAndBody(c.req.raw)
      const action = params.get('action')
      requests.record({ route: 'data', service, ...(action === null ? {} : { action }), at: now() })
      const faulted = await applyFaults(faults, 'data', c.env)
      if (faulted) return faulted

      const token = bearerToken(c.req.header('authorization'))
      const grant = token === undefined ? undefined : tokens.authenticate(token)
      if (!grant) return failure(401, MESSAGES.invalidToken)
      const wait = rateLimiter.take(grant.clientId)
      if (wait !== undefined) return tooManyRequests(wait)
      const operation = action === null ? undefined : actions[action]
      if (!operation) return failure(2554, MESSAGES.notImplemented)
      if (!grant.scope.split(',').includes(operation.scope)) {
        return failure(403, MESSAGES.insufficientScope)
      }
      try {
        return success(
          operation.handle({ params, data: data.of(grant.userid), now: now(), pageSize }),
        )
      } catch (error) {
        if (error instanceof InvalidParams) return failure(503, error.message)
        throw error
      }
    })
  }
  return app
}

/** `Authorization: Bearer <token>`; the scheme is case-insensitive (RFC 7235 §2.1). */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([^\s]+)\s*$/i.exec(header ?? '')
  return match?.[1]
}
