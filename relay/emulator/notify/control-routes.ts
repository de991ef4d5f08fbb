import { Hono } from 'hono'
import { constantTimeEqual } from '../../contract/wire-contract'
import type { Html } from '../html'
import { pageHeaders } from '../html'
import { readFormBody } from '../params'
import type { SeededUser } from '../users'
import { describeTriggered } from './describe'
import { FORM_TOKEN_FIELD, type PanelNotice } from './landing-panel'
import type { EmulatorNotifications } from './notify-service'
import { parseEvent } from './parse-event'

// The Notify part of the control API (mounted at /_emulator/notify with `controlApi: true`):
// JSON for tests and scripts, and the landing page's form for a person. JSON POSTs insist on
// application/json (a cross-site form cannot send it without a preflight); the form carries a
// random token of this emulator's own page, and is refused when the browser says it comes from
// elsewhere. The page's `Referrer-Policy: no-referrer` makes browsers send `Origin: null` with
// the form, so the request's Fetch Metadata (`Sec-Fetch-Site`) tells where it came from too.

export const FORM_REFUSED =
  "This form did not come from this emulator's own page. Reload the emulator's page and try again."

export function notifyControlRoutes({
  notifications,
  users,
  formToken,
  landing,
}: {
  notifications: EmulatorNotifications
  users: readonly SeededUser[]
  formToken: string
  /** The landing page, with a sentence on top of its Notifications section. */
  landing: (notice: PanelNotice) => Html
}): Hono {
  const app = new Hono()

  app.get('/subscriptions', (c) => c.json({ subscriptions: notifications.subscriptions }))
  app.get('/deliveries', (c) => c.json({ deliveries: notifications.deliveries }))
  app.delete('/deliveries', (c) => {
    notifications.clearDeliveries()
    return c.body(null, 204)
  })

  app.post('/events', async (c) => {
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) {
      return c.json({ error: 'Send the event as application/json' }, 415)
    }
    const input: unknown = await c.req.json().catch(() => undefined)
    if (typeof input !== 'object' || input === null) {
      return c.json({ error: 'Send {"type": …, "userid": …}' }, 400)
    }
    const parsed = parseEvent(
      {
        type: 'type' in input ? input.type : undefined,
        userid: 'userid' in input ? input.userid : undefined,
        kg: 'kg' in input ? input.kg : undefined,
      },
      users,
    )
    if (!parsed.ok) return c.json({ error: parsed.error }, 400)
    return c.json(await notifications.trigger(parsed.event), 201)
  })

  app.post('/trigger', pageHeaders, async (c) => {
    const form = await readFormBody(c.req.raw)
    const origin = c.req.header('origin') ?? 'null'
    const site = c.req.header('sec-fetch-site') ?? 'same-origin'
    const elsewhere =
      (origin !== 'null' && origin !== new URL(c.req.url).origin) ||
      (site !== 'same-origin' && site !== 'none')
    if (elsewhere || !constantTimeEqual(formToken, form.get(FORM_TOKEN_FIELD) ?? '')) {
      return c.text(FORM_REFUSED, 403)
    }
    const parsed = parseEvent(
      { type: form.get('event'), userid: form.get('userid'), kg: form.get('kg') ?? undefined },
      users,
    )
    if (!parsed.ok) return c.html(landing({ text: `Nothing was triggered: ${parsed.error}.` }), 400)
    const text = describeTriggered(await notifications.trigger(parsed.event), users)
    return c.html(landing({ text, userid: parsed.event.userid }))
  })

  return app
}
