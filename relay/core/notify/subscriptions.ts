import {
  type Appli,
  categoriesOf,
  NOTIFY_CATEGORIES,
  NOTIFY_FAILURES,
  type NotifyCategoryStatus,
  type NotifyFailure,
  type NotifyStatus,
} from '../../contract/wire-contract'
import type { Session } from '../cookies/session-cookie'
import { errorKind } from '../error-kind'
import type { Logger } from '../http/request-log'
import type { SharedStore } from '../store/shared-store'
import { type NotifyClient, type NotifyProfile, NotifyRefused } from '../withings/notify-client'
import type { CallbackUrls } from './callback-url'
import { jsonObject } from './json-object'
import type { PersonChannel } from './person-channel'

// Subscribing a person to the notifications their scopes allow, once: after the code exchange,
// and on a restored session only when no outcome is remembered. The outcome is remembered in the
// shared store per person — which categories are subscribed, or why not — as a marker, never a
// token, so a reload costs Withings nothing; and a restore lists at most once per person (and set
// of categories) in LIST_COOLDOWN_MS, however many sessions that person has open. Withings keeps
// every subscribe as its own subscription (reference: notify-update, "If multiple subscriptions
// were made…"), so the relay lists first and subscribes only what is missing.
//
// Withings checks each new callback with a HEAD request before it answers (notify-subscribe);
// the callback's host needs a moment between two, so subscribes are paced as Home Assistant
// paces them (SUBSCRIBE_DELAY of 5 s, UNSUBSCRIBE_DELAY of 1 s, home-assistant/core
// homeassistant/components/withings/__init__.py), through an injected `pause` that tests make
// instant and a shutdown cuts short.
//
// The person's subscriptions to an older URL of this relay (the former callback path, a retired
// key) are moved: the new URL is subscribed, then each old one whose category now reaches the new
// one is revoked. Until then the old one still delivers (the former path is still answered).

export interface Subscriptions {
  /** After a code exchange: list and subscribe in the background, whatever is remembered. */
  begin(session: Session): void
  /** On a restored session: the same, in the background, only when nothing is remembered. */
  ensure(session: Session): Promise<void>
  /** What is remembered for this session's categories; a reconcile under way here is awaited. */
  status(session: Session): Promise<NotifyStatus>
  /** List and subscribe now (the person asked to check again). */
  recheck(session: Session): Promise<NotifyStatus>
  /** After Disconnect: forget the outcome, and when Withings was not told, unsubscribe ours. */
  end(session: Session, options: { withingsInformed: boolean }): Promise<void>
}

/** Waits `ms`; resolves false when cut short (the relay is stopping), true otherwise. */
export type Pause = (ms: number) => Promise<boolean>

export interface SubscriptionsOptions {
  client: NotifyClient
  urls: CallbackUrls
  store: SharedStore
  channel: PersonChannel
  /** Where Withings is told to send notifications, for log lines (no secret: the base only). */
  callbackBase: string
  waitUntil: (task: Promise<unknown>) => void
  log: Logger
  /** How the Notify calls are paced (timers by default: pacing.ts). */
  pause: Pause
}

type Outcome = 'subscribed' | { reason: NotifyFailure; retry_after?: number }

interface Remembered {
  /** A digest of the callback URL subscribed: a new base, path or key makes the memory stale. */
  url: string
  categories: Partial<Record<Appli, Outcome>>
}

/** Between two subscribes: Withings' HEAD check of the callback needs its host warm. */
export const SUBSCRIBE_PACE_MS = 5_000
/** Between two revokes. */
export const REVOKE_PACE_MS = 1_000
/** Success is checked again after a day: Withings drops subscriptions whose callback keeps failing. */
const SUBSCRIBED_MS = 24 * 3_600_000
/** A failure is tried again after this, or after Withings' wait when it gave one. */
const FAILED_MS = 10 * 60_000
/** At most one list per person and set of categories in this long, from restored sessions. */
export const LIST_COOLDOWN_MS = 5 * 60_000
/**
 * One reconcile at a time per session across instances, and per person on each instance. The
 * store cannot release a claim, so this is also how long a person waits to ask again after an
 * attempt: longer than a paced reconcile of every category would be kinder to Withings, but would
 * make "Subscribe again" wait minutes. Another instance starting on the same session late in a
 * paced run at worst subscribes a category twice, and Withings' deliveries are told apart.
 */
const LOCK_MS = 30_000
/** How long a status question waits for a reconcile under way before answering "pending". */
const STATUS_WAIT_MS = 3_000
/** Refusals the next category would meet too: the others are not asked. */
const STOPPING: ReadonlySet<NotifyFailure> = new Set([
  'rate_limited',
  'token_expired',
  'withings_unavailable',
])

const recordKey = (userid: string) => `notify-subscriptions:${userid}`
const lockKey = (sessionId: string) => `notify-reconcile:${sessionId}`
const cooldownKey = (session: Session) =>
  `notify-listed:${session.userid}:${categoriesOf(session.scope)
    .map((c) => c.appli)
    .join('.')}`

export function createSubscriptions(options: SubscriptionsOptions): Subscriptions {
  const { client, urls, store, channel, callbackBase, waitUntil, log, pause } = options
  /** Reconciles under way on this instance, by person. */
  const underWay = new Map<string, Promise<Remembered | undefined>>()

  const urlDigest = async (userid: string) => digest(await urls.urlFor(userid))

  async function remembered(session: Session): Promise<Remembered | undefined> {
    const item = await store.get(recordKey(session.userid))
    const record = parseRemembered(item)
    if (!record || record.url !== (await urlDigest(session.userid))) return undefined
    const covered = categoriesOf(session.scope).every((c) => record.categories[c.appli])
    return covered ? record : undefined
  }

  /** Waits before every Notify call of one reconcile but its first; false once stopping. */
  function pacer() {
    let calls = 0
    return async (ms: number) => calls++ === 0 || (await pause(ms))
  }

  async function reconcile(session: Session): Promise<Remembered> {
    const wanted = categoriesOf(session.scope)
    const url = await urls.urlFor(session.userid)
    const outcomes: Remembered['categories'] = {}
    const paced = pacer()
    let moved: NotifyProfile[] = []
    if (wanted.length > 0) {
      try {
        const profiles = await client.list(session.accessToken)
        const present = new Set(profiles.filter((p) => p.callbackurl === url).map((p) => p.appli))
        moved = profiles.filter((p) => p.callbackurl !== url && urls.isOurs(p.callbackurl))
        let stop: Outcome | undefined
        for (const { appli } of wanted) {
          if (present.has(appli)) outcomes[appli] = 'subscribed'
          else if (stop) outcomes[appli] = stop
          // Stopping: what is not asked stays unknown, and is asked at a later session.
          else if (!(await paced(SUBSCRIBE_PACE_MS))) break
          else {
            const outcome = await subscribeOne(session.accessToken, appli, url)
            outcomes[appli] = outcome
            // A callback Withings could not reach (293) or a category refused for its scope
            // says nothing of the next category; a refusal of the token or the rate does.
            if (outcome !== 'subscribed' && STOPPING.has(outcome.reason)) stop = outcome
          }
        }
      } catch (error) {
        if (!(error instanceof NotifyRefused)) throw error
        logRefusal(error, 'list')
        for (const { appli } of wanted) outcomes[appli] = outcomeOf(error)
      }
    }
    const record: Remembered = { url: digest(url), categories: outcomes }
    const failed = Object.values(outcomes).filter((outcome) => outcome !== 'subscribed')
    const ttlMs = failed.length === 0 ? SUBSCRIBED_MS : retryMs(failed)
    log({
      level: failed.length === 0 ? 'info' : 'warn',
      msg: failed.length === 0 ? 'notifications subscribed' : 'notifications not all subscribed',
      subscribed: wanted.filter((c) => outcomes[c.appli] === 'subscribed').map((c) => c.appli),
      ...(failed[0] !== undefined && typeof failed[0] === 'object' && { reason: failed[0].reason }),
    })
    await store
      .set(recordKey(session.userid), JSON.stringify(record), { ttlMs })
      .catch((cause: unknown) => storeSkipped('notification subscriptions not remembered', cause))
    await channel.publish(session.userid, { type: 'subscription' })
    // The old URLs whose category now reaches the new one: Withings would notify both.
    const replaced = moved.filter((profile) => outcomes[profile.appli as Appli] === 'subscribed')
    if (replaced.length > 0) await revokeAll(session, replaced, paced, 'moved')
    return record
  }

  async function subscribeOne(accessToken: string, appli: Appli, url: string): Promise<Outcome> {
    try {
      await client.subscribe(accessToken, appli, url)
      return 'subscribed'
    } catch (error) {
      if (!(error instanceof NotifyRefused)) throw error
      logRefusal(error, 'subscribe', appli)
      return outcomeOf(error)
    }
  }

  /** Revokes each profile, paced; a refusal ends the round (the next would meet the same). */
  async function revokeAll(
    session: Session,
    profiles: readonly NotifyProfile[],
    paced: (ms: number) => Promise<boolean>,
    why: 'moved' | 'revoke failed',
  ) {
    try {
      for (const profile of profiles) {
        if (!(await paced(REVOKE_PACE_MS))) return
        await client.revoke(session.accessToken, profile.appli, profile.callbackurl)
      }
      log({
        level: 'info',
        msg:
          why === 'moved'
            ? 'notifications moved to the current callback URL'
            : 'notifications unsubscribed after a revoke that failed',
        revoked: profiles.length,
      })
    } catch (error) {
      if (!(error instanceof NotifyRefused)) throw error
      logRefusal(error, 'revoke')
    }
  }

  function logRefusal(error: NotifyRefused, action: string, appli?: Appli) {
    log({
      level: 'warn',
      msg: REFUSAL_LINES[error.reason],
      action,
      ...(appli !== undefined && { appli }),
      ...(error.withingsStatus !== undefined && { withingsStatus: error.withingsStatus }),
      ...(error.reason === 'callback_unreachable' && { callbackBase }),
    })
  }

  const storeSkipped = (msg: string, cause: unknown) =>
    log({ level: 'warn', msg, cause: errorKind(cause) })

  /** One reconcile per session across instances, and per person here; undefined when another holds the lock. */
  function reconcileOnce(session: Session): Promise<Remembered | undefined> {
    const running = underWay.get(session.userid)
    if (running) return running
    const task = (async () => {
      const claimed = await store
        .set(lockKey(session.id), '1', { ttlMs: LOCK_MS, ifAbsent: true })
        .catch((cause: unknown) => {
          // Without the store nothing could be remembered, and every reload would ask Withings.
          storeSkipped('notification subscriptions skipped', cause)
          return false
        })
      if (!claimed) return undefined
      await store
        .set(cooldownKey(session), '1', { ttlMs: LIST_COOLDOWN_MS, ifAbsent: true })
        .catch(() => false)
      return reconcile(session)
    })().finally(() => underWay.delete(session.userid))
    underWay.set(session.userid, task)
    return task
  }

  const inBackground = (session: Session) => {
    waitUntil(
      reconcileOnce(session).catch((cause: unknown) =>
        log({ level: 'error', msg: 'notification subscriptions failed', cause: errorKind(cause) }),
      ),
    )
  }

  /**
   * Starts a reconcile unless an outcome is remembered, or this person's categories were listed
   * within the cooldown (by any session, on any instance); a store that cannot say skips it.
   */
  async function ensure(session: Session) {
    if (categoriesOf(session.scope).length === 0) return undefined
    const record = await remembered(session).catch(() => 'unknown' as const)
    if (record === 'unknown') return undefined
    if (record) return record
    if (!underWay.has(session.userid)) {
      const due = await store
        .set(cooldownKey(session), '1', { ttlMs: LIST_COOLDOWN_MS, ifAbsent: true })
        .catch(() => false)
      if (due) inBackground(session)
    }
    return undefined
  }

  return {
    begin: inBackground,
    ensure: async (session) => {
      await ensure(session)
    },

    async status(session) {
      const record = await ensure(session)
      if (record) return statusOf(session, record)
      // A reconcile under way here (just started, or the exchange's) usually ends in moments.
      const running = underWay.get(session.userid)
      const done = running && (await within(running, STATUS_WAIT_MS))
      return statusOf(session, done || undefined)
    },

    async recheck(session) {
      return statusOf(session, await reconcileOnce(session))
    },

    async end(session, { withingsInformed }) {
      const forget = store
        .set(recordKey(session.userid), JSON.stringify({ url: '', categories: {} }), {
          ttlMs: FAILED_MS,
        })
        .catch((cause: unknown) => storeSkipped('notification subscriptions not forgotten', cause))
      // A revoke that reached Withings unsubscribed everything, and killed the access token
      // (reference: oauth2-revoke); one that did not leaves the token alive for this.
      if (!withingsInformed) waitUntil(unsubscribe(session))
      await forget
    },
  }

  async function unsubscribe(session: Session) {
    try {
      const profiles = await client.list(session.accessToken)
      const ours = profiles.filter((profile) => urls.isOurs(profile.callbackurl))
      await revokeAll(session, ours, pacer(), 'revoke failed')
    } catch (error) {
      if (!(error instanceof NotifyRefused)) throw error
      logRefusal(error, 'revoke')
    }
  }
}

/** Every category the grant allows, as remembered (pending when nothing is). */
function statusOf(session: Session, record: Remembered | undefined): NotifyStatus {
  return {
    categories: categoriesOf(session.scope).map(({ appli, scope }): NotifyCategoryStatus => {
      const outcome = record?.categories[appli]
      if (outcome === undefined) return { appli, scope, state: 'pending' }
      if (outcome === 'subscribed') return { appli, scope, state: 'subscribed' }
      return { appli, scope, state: 'failed', ...outcome }
    }),
  }
}

const REFUSAL_LINES: Record<NotifyFailure, string> = {
  callback_unreachable:
    "Withings could not reach the notification callback (status 293): its servers need an address they can reach from the internet, https on port 443 (http only for an app in restricted mode), never localhost. Set NOTIFY_CALLBACK_BASE_URL to such an address (in development, an https tunnel to this app's port).",
  rate_limited: 'Withings asks to slow down: notification subscriptions are tried again later.',
  scope_denied: 'Withings refused a notification category for this grant.',
  token_expired: 'Withings no longer accepts this access token for notifications.',
  withings_unavailable: 'Withings could not be reached for notification subscriptions.',
  refused: 'Withings refused a notification call.',
}

function outcomeOf(error: NotifyRefused): Outcome {
  return {
    reason: error.reason,
    ...(error.retryAfter !== undefined && { retry_after: error.retryAfter }),
  }
}

function retryMs(failed: Outcome[]): number {
  const waits = failed.flatMap((outcome) =>
    typeof outcome === 'object' && outcome.retry_after !== undefined ? [outcome.retry_after] : [],
  )
  return waits.length > 0 ? Math.max(1_000, Math.max(...waits) * 1000) : FAILED_MS
}

/**
 * A short digest (FNV-1a, 32 bits) that tells callback URLs apart without keeping the URL's
 * secret segment in the store: 32 bits say nothing about a 128-bit token.
 */
function digest(url: string): string {
  let hash = 0x811c9dc5
  for (let i = 0; i < url.length; i++) hash = Math.imul(hash ^ url.charCodeAt(i), 0x01000193)
  return (hash >>> 0).toString(36)
}

function parseRemembered(item: string | undefined): Remembered | undefined {
  const { url, categories } = (item !== undefined && jsonObject(item)) || {}
  if (typeof url !== 'string' || typeof categories !== 'object' || categories === null) {
    return undefined
  }
  const kept: Remembered['categories'] = {}
  for (const [key, value] of Object.entries(categories)) {
    const category = NOTIFY_CATEGORIES.find(({ appli }) => String(appli) === key)
    const outcome = parseOutcome(value)
    if (category && outcome) kept[category.appli] = outcome
  }
  return { url, categories: kept }
}

function parseOutcome(value: unknown): Outcome | undefined {
  if (value === 'subscribed') return value
  if (typeof value !== 'object' || value === null) return undefined
  const { reason, retry_after } = value as Record<string, unknown>
  const known = NOTIFY_FAILURES.find((failure) => failure === reason)
  if (!known) return undefined
  return typeof retry_after === 'number' ? { reason: known, retry_after } : { reason: known }
}

/** What `task` settles to within `ms`, or undefined (a failure too). */
function within<T>(task: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms)
    task
      .then(
        (value) => resolve(value),
        () => resolve(undefined),
      )
      .finally(() => clearTimeout(timer))
  })
}
