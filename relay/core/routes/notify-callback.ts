import { type Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import type { LiveNotification } from '../../contract/wire-contract'
import { errorKind } from '../error-kind'
import type { Logger, RelayEnv } from '../http/request-log'
import { type CallbackUrls, isCallbackToken } from '../notify/callback-url'
import type { EventStreams } from '../notify/event-streams'
import {
  type DropReason,
  type NotificationForm,
  readNotification,
} from '../notify/notification-form'
import type { SharedStore } from '../store/shared-store'

// Where Withings notifies (`{base}/api/hooks/withings/{token}`). Withings first checks the URL
// with a HEAD request, then POSTs application/x-www-form-urlencoded bodies — `userid, appli,
// startdate, enddate` for data, `userid, appli, date, deviceid` for bed events (notification
// content page) — and must get a 2xx within 2 seconds ("Your server has to respond with a 200
// HTTP OK status within two seconds", data-update guide), or it retries; repeated failures
// remove the person's subscription.
//
// So the answer comes first and the work after it, and a POST to a valid callback URL is
// acknowledged whatever its fields: Withings' documentation disagrees with itself on the bed
// events' `date` (a Unix time on one page, `Y-m-d` on another), its own examples carry extra
// fields (`foo=bar`), and it may add categories. What cannot be read is logged (never the token
// or the body) and dropped; a 4xx would only make Withings retry it, then unsubscribe the person.
// The one 4xx left: a token that is not the userid's (404). That is a forgery, or a URL made with
// a key since retired, which can never verify again, and Withings dropping it is right.
//
// The payload is a hint, not data to trust: pages re-read through the proxy. Withings' retries
// repeat a notification, so each is claimed once in the shared store, and reaches the person's
// pages once.

/** Withings' forms are a handful of short fields; anything longer is read as unreadable. */
export const MAX_CALLBACK_BODY_BYTES = 1024
/** Withings retries a notification for about 5½ hours (notification overview). */
const SEEN_MS = 6 * 3_600_000

export interface NotifyCallbackOptions {
  urls: CallbackUrls
  streams: EventStreams
  store: SharedStore
  waitUntil: (task: Promise<unknown>) => void
  log: Logger
  /** With sync: the notification's data is fetched and stored (a bed event stored). */
  notified?: (userid: string, notification: LiveNotification) => Promise<void>
}

export function notifyCallback(options: NotifyCallbackOptions): Hono<RelayEnv> {
  const { urls, streams, store, waitUntil, log, notified } = options
  const dropped = (
    reason: DropReason | 'too_large' | 'not_a_form' | 'no_userid',
    appli?: number,
  ) => {
    // Another category on this URL is expected (another tool's subscription); the rest is news.
    const level = reason === 'other_category' ? 'info' : 'warn'
    log({ level, msg: 'notification dropped', reason, ...(appli !== undefined && { appli }) })
  }
  const limit = bodyLimit({
    maxSize: MAX_CALLBACK_BODY_BYTES,
    onError: (c) => {
      dropped('too_large')
      return c.body(null, 200)
    },
  })

  async function pass({ userid, notification, key }: NotificationForm & { userid: string }) {
    let first: boolean
    try {
      first = await store.set(`notify-seen:${userid}:${key}`, '1', {
        ttlMs: SEEN_MS,
        ifAbsent: true,
      })
    } catch (cause) {
      // Without the store a repeat cannot be told apart; the page re-reads either way, so a
      // repeat costs one re-read, and a lost hint costs the live update. Repeats it is.
      log({ level: 'warn', msg: 'notification not deduplicated', cause: errorKind(cause) })
      first = true
    }
    if (!first) return
    await Promise.all([streams.deliver(userid, notification), notified?.(userid, notification)])
  }

  return (
    new Hono<RelayEnv>()
      // Withings' HEAD check before it accepts a subscription (Hono answers HEAD with GET's
      // route, without the body). It carries no userid to verify.
      .get('/:token', (c) => c.body(null, isCallbackToken(c.req.param('token')) ? 200 : 404))
      .post('/:token', async (c, next) => {
        // Not a URL this relay makes: nothing Withings holds, nothing to acknowledge.
        if (!isCallbackToken(c.req.param('token'))) return c.body(null, 404)
        await next()
      })
      .post('/:token', limit, async (c) => {
        const form = await formOf(c)
        const userid = form?.get('userid') ?? ''
        if (!form || !USERID.test(userid)) {
          dropped(form ? 'no_userid' : 'not_a_form')
          return c.body(null, 200)
        }
        if (!(await urls.verify(c.req.param('token'), userid))) return c.body(null, 404)
        const read = readNotification(form)
        if ('dropped' in read) dropped(read.dropped, read.appli)
        else waitUntil(pass({ userid, ...read }))
        return c.body(null, 200)
      })
  )
}

const USERID = /^\d{1,15}$/

async function formOf(c: Context): Promise<URLSearchParams | undefined> {
  const type = c.req.header('content-type') ?? ''
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) return undefined
  try {
    return new URLSearchParams(
      new TextDecoder('utf-8', { fatal: true }).decode(await c.req.arrayBuffer()),
    )
  } catch {
    return undefined
  }
}
