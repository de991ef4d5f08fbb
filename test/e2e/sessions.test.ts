import type { BrowserContext, Page } from 'playwright-core'
import { afterEach, describe, expect, test } from 'vitest'
import { openSession, SESSION_COOKIE, sealedField } from '../support/cookies'
import { RELAY_KEY, type Stack, startStack } from '../support/stack'
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

/** Every answer the relay sends this page, as text: no token may ever be in one. */
function watchAnswers(page: Page, seen: string[]) {
  page.on('response', async (response) => {
    if (new URL(response.url()).pathname.startsWith('/api/')) {
      seen.push(await response.text().catch(() => ''))
    }
  })
}

/** Both tokens the relay sealed in this browser's session cookie (the test holds the key). */
async function sealedTokens(): Promise<string[]> {
  const cookie = (await context.cookies()).find((each) => each.name === SESSION_COOKIE)
  const session = await openSession(cookie?.value, RELAY_KEY)
  return [sealedField(session, 'accessToken'), sealedField(session, 'refreshToken')].filter(
    (token): token is string => token !== undefined,
  )
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
  test('three tabs whose session falls due together cause exactly one upstream refresh', async () => {
    await setUp(8)
    const answers: string[] = []
    const tabs = [await context.newPage(), await context.newPage(), await context.newPage()]
    for (const tab of tabs) watchAnswers(tab, answers)
    const [first, second, third] = tabs as [Page, Page, Page]
    await connectAsDemo(first)
    await second.goto(stack.appUrl)
    await connectedHeading(second).waitFor()
    await third.goto(stack.appUrl)
    await connectedHeading(third).waitFor()
    // Reloads cost Withings nothing while the access token lives: all three share one session.
    expect(refreshes()).toBe(0)
    const tokens = await sealedTokens()
    let asked = 0
    for (const tab of tabs) {
      tab.on('request', (request) => {
        if (request.url().endsWith('/api/auth/session')) asked++
      })
    }

    // At the refresh moment (a second before the 8 s expiry) the tabs take turns (Web Locks): one
    // asks the relay, which refreshes, and tells the others; a tab that got the lock before the
    // news arrived asks too, with the new cookie, and the relay refreshes nothing more.
    await first.waitForTimeout(8_500)
    expect(refreshes()).toBe(1)
    expect(asked).toBeGreaterThanOrEqual(1)
    expect(asked).toBeLessThanOrEqual(3)
    for (const tab of tabs) await connectedHeading(tab).waitFor()

    const everyToken = [...tokens, ...(await sealedTokens())]
    expect(new Set(everyToken).size).toBe(4)
    for (const tab of tabs) {
      const stored = await storageOf(tab)
      expect(stored.cookie).toBe('')
      for (const token of everyToken) {
        expect(stored.local).not.toContain(token)
        expect(stored.session).not.toContain(token)
        for (const answer of answers) expect(answer).not.toContain(token)
      }
    }
    expect(answers.length).toBeGreaterThan(3)
  })
})
