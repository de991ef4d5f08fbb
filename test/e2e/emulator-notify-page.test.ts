import { afterEach, describe, expect, it } from 'vitest'
import { demoToken, type NotifyStack, notify, startNotifyStack } from '../emulator/notify-support'
import { withChromium } from './support/browser'

// A person at the emulator's landing page in real Chromium: the page sends its forms with
// `Origin: null` (its Referrer-Policy is no-referrer), which the cross-site check must let
// through while a foreign page's post is refused.

const chromium = withChromium()
let stack: NotifyStack
afterEach(() => stack?.close())

describe("the emulator's notification buttons, in Chromium", () => {
  it('deliver a bed-in notification and say so on the page', async () => {
    stack = await startNotifyStack()
    const token = await demoToken(stack, 'user.sleepevents')
    const callbackurl = `${stack.callbacks.url}/hook`
    expect(
      (await notify(stack, token, { action: 'subscribe', callbackurl, appli: '50' })).status,
    ).toBe(0)

    const page = await chromium.browser.newPage()
    try {
      await page.goto(stack.emulatorUrl)
      await page.getByLabel('Person').selectOption('363')
      await page.getByRole('button', { name: 'Bed in' }).click()
      await expect
        .poll(() => page.getByRole('status').textContent())
        .toContain(`Bed in (appli 50) for Demo User: sent to ${callbackurl} — delivered (HTTP 204`)
      expect(stack.callbacks.posts.map((post) => post.fields.appli)).toEqual(['50'])
    } finally {
      await page.close()
    }
  })

  it('refuse a post from another site, even one that knows the token', async () => {
    stack = await startNotifyStack()
    const page = await chromium.browser.newPage()
    try {
      // Another site's page, served by Chromium itself, posting to the emulator for real — even
      // with the page's own token, as if it had leaked.
      const html = await (await fetch(stack.emulatorUrl)).text()
      const token = /name="form_token" value="([0-9a-f]+)"/.exec(html)?.[1] ?? ''
      expect(token).not.toBe('')
      await page.route('https://evil.example/', (route) =>
        route.fulfill({
          contentType: 'text/html',
          body: `<form method="post" action="${stack.emulatorUrl}/_emulator/notify/trigger">
<input name="form_token" value="${token}"><input name="userid" value="363">
<button name="event" value="bed_in">Go</button></form>`,
        }),
      )
      await page.goto('https://evil.example/')
      await page.getByRole('button', { name: 'Go' }).click()
      await expect
        .poll(() => page.textContent('body'))
        .toContain("did not come from this emulator's own page")
      expect(stack.callbacks.posts).toEqual([])
    } finally {
      await page.close()
    }
  })
})
