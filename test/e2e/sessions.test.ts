import type { BrowserContext, Page } from 'playwright-core'
import { afterEach, describe, expect, test } from 'vitest'
import { type Stack, startStack } from '../support/stack'
import { withChromium } from './support/browser'
import { SPA_DIR } from './support/paths'

const chromium = withChromium()
let context: BrowserContext
let stack: Stack

afterEach(async () => {
  await context?.close()
  await stack?.close()
})

const refreshes = () => stack.emulator.requests.count({ grantType: 'refresh_token' })
const connectedHeading = (page: Page) =>
  page.getByRole('heading', { name: 'Connected as Withings user 363' })

async function setUp(accessTokenTtlSeconds: number) {
  stack = await startStack({ staticRoot: SPA_DIR, emulator: { accessTokenTtlSeconds } })
  context = await chromium.browser.newContext()
}

/** Every access token the relay hands this browser, read off the wire. */
function watchTokens(page: Page, seen: Set<string>) {
  page.on('response', async (response) => {
    if (!/\/api\/auth\/(token|refresh)$/.test(response.url()) || response.status() !== 200) return
    const body = await response.json().catch(() => undefined)
    if (body?.access_token) seen.add(body.access_token)
  })
}

async function connectAsDemo(page: Page) {
  await page.goto(stack.appUrl)
  await page.getByRole('switch', { name: 'Use the Withings demo user' }).check()
  await page.getByRole('button', { name: 'Connect Withings' }).click()
  await page.getByRole('button', { name: 'Accept' }).click()
  await connectedHeading(page).waitFor()
}

/** What the page could persist: none of it may hold a token. */
const storageOf = (page: Page) =>
  page.evaluate(() => ({
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    cookie: document.cookie,
  }))

// A reload, a second window and Disconnect reaching other windows are proven in every engine
// (every-engine.test.ts); the refresh shared across tabs relies on Web Locks, tested here.

describe('sessions in real Chromium', () => {
  test('three tabs whose tokens expire together cause exactly one upstream refresh', async () => {
    await setUp(8)
    const seen = new Set<string>()
    const tabs = [await context.newPage(), await context.newPage(), await context.newPage()]
    for (const tab of tabs) watchTokens(tab, seen)
    const [first, second, third] = tabs as [Page, Page, Page]
    await connectAsDemo(first)
    await second.goto(stack.appUrl)
    await connectedHeading(second).waitFor()
    await third.goto(stack.appUrl)
    await connectedHeading(third).waitFor()
    // The last tab's token went to the others: all three now expire together.
    const settled = refreshes()
    let asked = 0
    for (const tab of tabs) {
      tab.on('request', (request) => {
        if (request.url().endsWith('/api/auth/refresh')) asked++
      })
    }

    await first.waitForTimeout(8_500)
    expect(refreshes()).toBe(settled + 1) // at Withings
    expect(asked).toBe(1) // and at the relay: the tabs agreed among themselves (Web Locks)
    for (const tab of tabs) await connectedHeading(tab).waitFor()

    for (const tab of tabs) {
      const stored = await storageOf(tab)
      expect(stored.cookie).toBe('')
      for (const accessToken of seen) {
        expect(stored.local).not.toContain(accessToken)
        expect(stored.session).not.toContain(accessToken)
      }
    }
    expect(seen.size).toBeGreaterThanOrEqual(3)
  })
})
