import { Hono } from 'hono'
import type { RateLimiter } from '../client-budget'
import { bearerToken } from '../data/routes'
import { failure, MESSAGES, success } from '../envelope-answers'
import { applyFaults } from '../fault-response'
import type { FaultSwitchboard } from '../faults'
import { overBudget } from '../over-budget'
import { readQueryAndBody } from '../params'
import type { RecordingRequestLog } from '../recorded-requests'
import type { Grant, TokenStore } from '../token-store'
import { type CallbackCheckOptions, callbackAccepted } from './callback-check'
import { type Category, categoryParam } from './categories'
import type { Subscription, SubscriptionStore } from './subscription-store'

// wbsapi's `POST /notify` with the person's access token (reference: notify-subscribe,
// notify-list, notify-get, notify-update, notify-revoke). Each category needs its scope
// (notification content page); a call without it gets the data services' answer to a missing
// scope. Statuses of the former API list: 293 bad callback, 286 no such subscription, 294
// nothing to revoke.

/**
 * What `list` and `get` show of a subscription: `expires` as in aiowithings' notify fixtures, and
 * `comment: null` for a subscription made without one (home-assistant/core's notify_list.json).
 */
const profile = ({ appli, callbackurl, comment }: Subscription) => ({
  appli,
  callbackurl,
  comment,
  expires: 2_147_483_647,
})

interface NotifyEndpointDeps {
  tokens: TokenStore
  subscriptions: SubscriptionStore
  callbacks: CallbackCheckOptions
  rateLimiter: RateLimiter
  requests: RecordingRequestLog
  faults: FaultSwitchboard
  now: () => number
}

type Outcome<T> = { ok: true; value: T } | { ok: false; response: Response }

export function notifyEndpoint(deps: NotifyEndpointDeps): Hono {
  const { tokens, subscriptions, callbacks, rateLimiter, requests, faults, now } = deps

  /** `appli` as a known category the grant covers; `fallback` when the parameter is absent. */
  function category(grant: Grant, text: string | null, fallback?: number): Outcome<Category> {
    const found = categoryParam(text, fallback)
    if (!found) return { ok: false, response: failure(503, MESSAGES.invalidParams('appli')) }
    if (!grant.scope.split(',').includes(found.scope)) {
      return { ok: false, response: failure(403, MESSAGES.insufficientScope) }
    }
    return { ok: true, value: found }
  }

  async function callback(text: string | null): Promise<Outcome<string>> {
    return text !== null && (await callbackAccepted(text, callbacks))
      ? { ok: true, value: text }
      : { ok: false, response: failure(293, MESSAGES.invalidCallback) }
  }

  /** The newest subscription of the `callbackurl` parameter to this category. */
  const newest = (grant: Grant, params: URLSearchParams, { appli }: Category) =>
    subscriptions.latest(grant.clientId, grant.userid, params.get('callbackurl') ?? '', appli)

  const mine = (grant: Grant, callbackurl: string | null, appli?: number) => (s: Subscription) =>
    s.clientId === grant.clientId &&
    s.userid === grant.userid &&
    s.callbackurl === callbackurl &&
    (appli === undefined || s.appli === appli)

  const actions = {
    async subscribe(grant, params) {
      const appli = category(grant, params.get('appli'))
      if (!appli.ok) return appli.response
      const url = await callback(params.get('callbackurl'))
      if (!url.ok) return url.response
      subscriptions.add({
        clientId: grant.clientId,
        userid: grant.userid,
        appli: appli.value.appli,
        callbackurl: url.value,
        comment: params.get('comment'),
      })
      return success({})
    },

    async list(grant, params) {
      const text = params.get('appli')
      const appli = text === null ? undefined : category(grant, text)
      if (appli && !appli.ok) return appli.response
      const found = subscriptions.of(grant.clientId, grant.userid, appli?.value.appli)
      return success({ profiles: found.map(profile) })
    },

    // "If no appli is specified, appli=1 will be considered" (reference: notify-get).
    async get(grant, params) {
      const appli = category(grant, params.get('appli'), 1)
      if (!appli.ok) return appli.response
      const found = newest(grant, params, appli.value)
      return found ? success(profile(found)) : failure(286, MESSAGES.noSuchSubscription)
    },

    // One change at a time: new_callbackurl, new_appli and comment exclude each other
    // (reference: notify-update, "DO NOT USE WITH FOLLOWING PARAMS"); only the newest matching
    // subscription changes.
    async update(grant, params) {
      const appli = category(grant, params.get('appli'))
      if (!appli.ok) return appli.response
      const changes = ['new_callbackurl', 'new_appli', 'comment'].filter((name) => params.has(name))
      const [change, extra] = changes
      if (change === undefined || extra !== undefined) {
        return failure(503, MESSAGES.invalidParams(extra ?? 'new_callbackurl'))
      }
      const found = newest(grant, params, appli.value)
      if (!found) return failure(286, MESSAGES.noSuchSubscription)
      if (change === 'comment') {
        subscriptions.update(found.id, { comment: params.get('comment') })
      } else if (change === 'new_appli') {
        const next = category(grant, params.get('new_appli'))
        if (!next.ok) return next.response
        subscriptions.update(found.id, { appli: next.value.appli })
      } else {
        const url = await callback(params.get('new_callbackurl'))
        if (!url.ok) return url.response
        subscriptions.update(found.id, { callbackurl: url.value })
      }
      return success({})
    },

    // Without `appli`, every category of that callback goes.
    async revoke(grant, params) {
      const text = params.get('appli')
      const appli = text === null ? undefined : category(grant, text)
      if (appli && !appli.ok) return appli.response
      const removed = subscriptions.remove(
        mine(grant, params.get('callbackurl'), appli?.value.appli),
      )
      return removed > 0 ? success({}) : failure(294, MESSAGES.nothingToRevoke)
    },
  } satisfies Record<string, (grant: Grant, params: URLSearchParams) => Promise<Response>>
  const byName = new Map(Object.entries(actions))

  const app = new Hono()
  // The reference documents POST; wbsapi answers GET with query parameters the same way.
  app.on(['GET', 'POST'], '/notify', async (c) => {
    const params = await readQueryAndBody(c.req.raw)
    const action = params.get('action')
    requests.record({
      route: 'notify',
      service: 'notify',
      ...(action === null ? {} : { action }),
      at: now(),
    })
    const faulted = await applyFaults(faults, 'data', c.env)
    if (faulted) return faulted

    const token = bearerToken(c.req.header('authorization'))
    const grant = token === undefined ? undefined : tokens.authenticate(token)
    if (!grant) return failure(401, MESSAGES.invalidToken)
    const limited = overBudget(rateLimiter, grant.clientId)
    if (limited) return limited
    const run = action === null ? undefined : byName.get(action)
    return run ? run(grant, params) : failure(2554, MESSAGES.notImplemented)
  })
  return app
}
