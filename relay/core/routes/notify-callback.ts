import { type Context, Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { type LiveNotification, NOTIFY_CATEGORIES } from '../../contract/wire-contract'
import { errorKind } from '../error-kind'
import type { Logger, RelayEnv } from '../http/request-log'
import { type CallbackUrls, isCallbackToken } from '../notify/callback-url'
import type { EventStreams } from '../notify/event-streams'
import type { SharedStore } from '../store/shared-store'

// Where Withings notifies (`{base}/api/notify/callback/{token}`). Withings first checks the URL
// with a HEAD request, then POSTs application/x-www-form-urlencoded bodies — `userid, appli,
// startdate, enddate` for data, `userid, appli, date, deviceid` for bed events (notification
// content page) — and must get a 2xx within 2 seconds ("Your server has to respond with a 200
// HTTP OK status within two seconds", data-update guide), or it retries.
//
// So the answer comes first and the work after it. The payload is a hint, not data to trust:
// pages re-read through the proxy. Withings' retries repeat a notification, so each is claimed
// once in the shared store, and reaches the person's pages once.
//
// What Withings does with a 4xx: it retries on its schedule, then removes the subscription. That
// is the right end for a POST whose token does not verify — it is a forgery, or a URL made with a
// key since retired, which can never verify again — so it gets 404. A body Withings would never
// send gets 400. Neither changes anything.

export const MAX_CALLBACK_BODY_BYTES = 1024
/** Withings retries a notification for about 5½ hours (notification overview). */
const SEEN_MS = 6 * 3_600_000

export interface NotifyCallbackOptions {
  urls: CallbackUrls
  streams: EventStreams
  store: SharedStore
  waitUntil: (task: Promise<unknown>) => void
  log: Logger
}

export function notifyCallback(options: NotifyCallbackOptions): Hono<RelayEnv> {
  const { urls, streams, store, waitUntil, log } = options
  const limit = bodyLimit({
    maxSize: MAX_CALLBACK_BODY_BYTES,
    onError: (c) => c.body(null, 413),
  })

  async function pass(userid: string, notification: LiveNotification, key: string) {
    let first: boolean
    try {
      first = await store.claim(`notify-seen:${userid}:${key}`, SEEN_MS)
    } catch (cause) {
      // Without the store a repeat cannot be told apart; the page re-reads either way, so a
      // repeat costs one re-read, and a lost hint costs the live update. Repeats it is.
      log({ level: 'warn', msg: 'notification not deduplicated', cause: errorKind(cause) })
      first = true
    }
    if (first) await streams.deliver(userid, notification)
  }

  return (
    new Hono<RelayEnv>()
      // Withings' HEAD check before it accepts a subscription (Hono answers HEAD with GET's
      // route, without the body). It carries no userid to verify.
      .get('/:token', (c) => c.body(null, isCallbackToken(c.req.param('token')) ? 200 : 404))
      .post('/:token', limit, async (c) => {
        const form = await formOf(c)
        if (!form) return c.body(null, 400)
        const userid = form.get('userid') ?? ''
        if (!USERID.test(userid) || !(await urls.verify(c.req.param('token'), userid))) {
          return c.body(null, 404)
        }
        const parsed = parseNotification(form)
        if (parsed === 'malformed') return c.body(null, 400)
        // A category the relay never subscribes to (another tool's subscription to this URL,
        // or a category Withings added): acknowledged, so Withings does not retry it.
        if (parsed) waitUntil(pass(userid, parsed.notification, parsed.key))
        return c.body(null, 200)
      })
  )
}

const USERID = /^\d{1,15}$/
const UNIX_SECONDS = /^\d{1,12}$/

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

type Parsed = { notification: LiveNotification; key: string } | undefined | 'malformed'

function parseNotification(form: URLSearchParams): Parsed {
  const appliText = form.get('appli') ?? ''
  if (!/^\d{1,4}$/.test(appliText)) return 'malformed'
  const category = NOTIFY_CATEGORIES.find(({ appli }) => appli === Number(appliText))
  if (!category) return undefined
  if (category.kind === 'data') {
    const startdate = seconds(form.get('startdate'))
    const enddate = seconds(form.get('enddate'))
    if (startdate === undefined || enddate === undefined || enddate < startdate) return 'malformed'
    return {
      notification: { appli: category.appli, kind: 'data', startdate, enddate },
      key: `${category.appli}:${startdate}:${enddate}`,
    }
  }
  const date = seconds(form.get('date'))
  if (date === undefined) return 'malformed'
  return {
    notification: { appli: category.appli, kind: category.kind, date },
    key: `${category.appli}:${date}`,
  }
}

/**
 * Unix seconds, or an ISO 8601 date-time (the notification content page shows both forms for
 * `date`), as Unix seconds.
 */
function seconds(text: string | null): number | undefined {
  if (text === null) return undefined
  if (UNIX_SECONDS.test(text)) return Number(text)
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]{5,15}(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) return undefined
  const ms = Date.parse(text)
  return Number.isNaN(ms) || ms < 0 ? undefined : Math.floor(ms / 1000)
}
