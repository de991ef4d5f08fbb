import { afterEach, describe, expect, it } from 'vitest'
import { FORM_REFUSED } from '../../relay/emulator/notify/control-routes'
import {
  demoToken,
  type NotifyStack,
  notify,
  startNotifyStack,
  triggerEvent,
} from './notify-support'
import { BASE, setup } from './support'

// A person triggers notifications by hand from the emulator's landing page (plain forms, no
// script), and scripts do it through the JSON control API.

let stack: NotifyStack
afterEach(() => stack?.close())

const page = async () => (await fetch(`${stack.emulatorUrl}/`)).text()
const formToken = (html: string) => /name="form_token" value="([0-9a-f]+)"/.exec(html)?.[1] ?? ''

function press(fields: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${stack.emulatorUrl}/_emulator/notify/trigger`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(fields),
  })
}

async function subscribeDemo(appli: string) {
  const token = await demoToken(stack, 'user.metrics,user.sleepevents')
  const callbackurl = `${stack.callbacks.url}/hook`
  expect((await notify(stack, token, { action: 'subscribe', callbackurl, appli })).status).toBe(0)
  return callbackurl
}

describe('the landing page', () => {
  it('offers a labelled form per event and lists who is subscribed', async () => {
    stack = await startNotifyStack()
    const callbackurl = await subscribeDemo('50')
    const html = await page()
    expect(html).toContain('<form method="post" action="/_emulator/notify/trigger">')
    expect(formToken(html)).toMatch(/^[0-9a-f]{32}$/)
    expect(html).toContain('<label for="notify-userid">Person</label>')
    expect(html).toContain(
      '<option value="363">Demo User (userid 363) — 1 subscription(s)</option>',
    )
    for (const [value, label] of [
      ['weighing', 'Add a weighing'],
      ['bed_in', 'Bed in'],
      ['bed_out', 'Bed out'],
      ['inflate_done', 'Inflate done'],
    ]) {
      expect(html).toContain(
        `<button type="submit" name="event" value="${value}">${label}</button>`,
      )
    }
    expect(html).toContain(
      `<td>Demo User</td><td>Bed in (50)</td><td><code>${callbackurl}</code></td>`,
    )
    expect(html).not.toContain('<script')
  })

  it('says in a sentence what a button delivered', async () => {
    stack = await startNotifyStack()
    const callbackurl = await subscribeDemo('50')
    const token = formToken(await page())
    const answer = await press({ form_token: token, userid: '363', event: 'bed_in' })
    expect(answer.status).toBe(200)
    expect(answer.headers.get('content-security-policy')).toContain("default-src 'none'")
    const html = await answer.text()
    expect(html).toMatch(
      new RegExp(
        `Bed in \\(appli 50\\) for Demo User: sent to ${callbackurl.replaceAll('.', '\\.')} — delivered \\(HTTP 204 in \\d+ ms\\)\\.`,
      ),
    )
    expect(stack.callbacks.posts).toHaveLength(1)
    const forAda = await press({ form_token: token, userid: '4815162', event: 'bed_out' })
    expect(await forAda.text()).toContain('<option value="4815162" selected>')

    const weighed = await (
      await press({ form_token: token, userid: '363', event: 'weighing', kg: '70.4' })
    ).text()
    expect(weighed).toContain(
      'A weighing of 70.4 kg was added to Demo User&#39;s measures, and getmeas now returns it. Weight and body composition (appli 1): nobody is subscribed to this category for Demo User, so nothing was sent.',
    )
  })

  it('refuses a post without its token or from another origin', async () => {
    stack = await startNotifyStack()
    await subscribeDemo('50')
    const token = formToken(await page())
    const fields = { userid: '363', event: 'bed_in' }
    for (const answer of [
      await press(fields),
      await press({ ...fields, form_token: 'f'.repeat(32) }),
      await press({ ...fields, form_token: token }, { origin: 'https://evil.example' }),
      await press({ ...fields, form_token: token }, { 'sec-fetch-site': 'cross-site' }),
      await press({ ...fields, form_token: token }, { 'sec-fetch-site': 'same-site' }),
    ]) {
      expect(answer.status).toBe(403)
      expect(await answer.text()).toBe(FORM_REFUSED)
    }
    expect(stack.callbacks.posts).toEqual([])
    // What browsers send from the page itself: its origin, or `null` under no-referrer.
    for (const origin of [stack.emulatorUrl, 'null']) {
      const own = await press(
        { ...fields, form_token: token },
        { origin, 'sec-fetch-site': 'same-origin' },
      )
      expect(own.status).toBe(200)
    }
  })

  it('explains an event it cannot trigger', async () => {
    stack = await startNotifyStack()
    const token = formToken(await page())
    const answer = await press({ form_token: token, userid: '363', event: 'weighing', kg: '9000' })
    expect(answer.status).toBe(400)
    expect(await answer.text()).toContain(
      'Nothing was triggered: kg must be a weight between 2 and 300.',
    )
  })

  it('has no Notifications section and no trigger route without the control API', async () => {
    const { emulator } = setup()
    const html = await (await emulator.fetch(new Request(`${BASE}/`))).text()
    expect(html).not.toContain('form_token')
    const answer = await emulator.fetch(
      new Request(`${BASE}/_emulator/notify/trigger`, { method: 'POST' }),
    )
    expect(answer.status).toBe(404)
  })
})

describe('the JSON control API', () => {
  it('triggers an event and reports subscriptions and deliveries', async () => {
    stack = await startNotifyStack()
    const callbackurl = await subscribeDemo('51')
    const triggered = await triggerEvent(stack, { type: 'bed_out', userid: 363 })
    expect(triggered.status).toBe(201)
    expect(triggered.body).toMatchObject({
      event: { type: 'bed_out', userid: 363 },
      appli: 51,
      payload: { userid: '363', appli: '51' },
      deliveries: [
        { callbackurl, state: 'delivered', attempts: [{ try: 1, outcome: 'delivered' }] },
      ],
    })
    const json = (path: string) =>
      fetch(`${stack.emulatorUrl}/_emulator/notify/${path}`).then((r) => r.json())
    expect(await json('subscriptions')).toMatchObject({
      subscriptions: [{ userid: 363, appli: 51 }],
    })
    expect(await json('deliveries')).toMatchObject({ deliveries: [{ appli: 51 }] })
    const cleared = await fetch(`${stack.emulatorUrl}/_emulator/notify/deliveries`, {
      method: 'DELETE',
    })
    expect(cleared.status).toBe(204)
    expect(await json('deliveries')).toEqual({ deliveries: [] })
  })

  it('refuses anything but JSON, and events it does not know', async () => {
    stack = await startNotifyStack()
    const asForm = await fetch(`${stack.emulatorUrl}/_emulator/notify/events`, {
      method: 'POST',
      body: new URLSearchParams({ type: 'bed_in', userid: '363' }),
    })
    expect(asForm.status).toBe(415)
    expect((await triggerEvent(stack, { type: 'fall_asleep', userid: 363 })).status).toBe(400)
    expect(await triggerEvent(stack, { type: 'bed_in', userid: 1 })).toEqual({
      status: 400,
      body: { error: 'userid must be one of the seeded users' },
    })
  })
})
