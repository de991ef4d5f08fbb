import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'
import { type Stack, startStack } from '../support/stack'
import { launchChromium } from './support/browser'
import { SPA_DIR } from './support/paths'

let browser: Browser
let context: BrowserContext
let page: Page
let stack: Stack

beforeAll(async () => {
  browser = await launchChromium()
})
afterAll(() => browser?.close())
beforeEach(async () => {
  stack = await startStack({ staticRoot: SPA_DIR })
  context = await browser.newContext()
  page = await context.newPage()
})
afterEach(async () => {
  await context?.close()
  await stack?.close()
})

const codeExchanges = () => stack.emulator.requests.count({ grantType: 'authorization_code' })

/** From the Connect page to Withings' consent page. */
async function openConsent({ demo = true } = {}) {
  await page.goto(stack.appUrl)
  await page.getByRole('button', { name: 'Connect Withings' }).waitFor()
  if (demo) await page.getByRole('switch', { name: 'Use the Withings demo user' }).check()
  await page.getByRole('button', { name: 'Connect Withings' }).click()
  await page.waitForURL(`${stack.emulatorUrl}/**`)
}

describe('the whole flow in real Chromium', () => {
  test('connect as the demo user and see the connected view; code never stays in the address bar', async () => {
    const callbackAddresses: string[] = []
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame() && frame.url().includes('/callback'))
        callbackAddresses.push(frame.url())
    })
    await openConsent()
    await page.getByRole('button', { name: 'Accept' }).click()

    await page.getByRole('heading', { name: 'Connected as Withings user 363' }).waitFor()
    expect(page.url()).toBe(`${stack.appUrl}/`)
    expect(await page.getByText('user.metrics').count()).toBeGreaterThan(0)
    expect(await page.getByText('Access token expires').isVisible()).toBe(true)
    expect(callbackAddresses.some((url) => url.includes('code='))).toBe(true) // Withings did send it…
    expect(await page.evaluate(() => window.location.href)).not.toContain('code=') // …and it is gone
    expect(codeExchanges()).toBe(1)
  })

  test('a seeded user signs in at the consent page and is connected', async () => {
    await openConsent({ demo: false })
    await page.getByLabel('Email').fill('ada@example.com')
    await page.getByLabel('Password').fill('ada-emulator')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('button', { name: 'Accept' }).click()
    await page.getByRole('heading', { name: 'Connected as Withings user 4815162' }).waitFor()
  })

  test('Deny: a plain sentence and a way to try again', async () => {
    await openConsent()
    await page.getByRole('button', { name: 'Deny' }).click()
    await page.getByRole('heading', { name: 'Access declined' }).waitFor()
    expect(await page.getByRole('alert').textContent()).toContain('You declined access')
    await page.getByRole('link', { name: 'Connect again' }).click()
    await page.getByRole('button', { name: 'Connect Withings' }).waitFor()
    expect(codeExchanges()).toBe(0)
  })

  test('a tampered state fails closed: a clear message and no exchange', async () => {
    await openConsent()
    // Someone alters the state on its way back from Withings.
    await page.route(`${stack.emulatorUrl}/**`, async (route) => {
      if (route.request().method() !== 'POST') return route.continue()
      const answer = await route.fetch({ maxRedirects: 0 })
      const location = new URL(answer.headers().location ?? '')
      location.searchParams.set('state', `${location.searchParams.get('state')?.slice(0, -2)}xx`)
      await route.fulfill({ status: 302, headers: { location: location.href } })
    })
    await page.getByRole('button', { name: 'Accept' }).click()
    await page.getByRole('heading', { name: 'Could not connect' }).waitFor()
    expect(await page.getByRole('alert').textContent()).toContain('was not accepted')
    expect(page.url()).not.toContain('code=')
    expect(codeExchanges()).toBe(0)
  })

  test('reloading the callback URL after success: no second exchange, a clear message', async () => {
    let callbackUrl = ''
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.url().includes('/callback?code=')) {
        callbackUrl = request.url()
      }
    })
    await openConsent()
    await page.getByRole('button', { name: 'Accept' }).click()
    await page.getByRole('heading', { name: 'Connected as Withings user 363' }).waitFor()
    expect(callbackUrl).toContain('code=')

    await page.goto(callbackUrl)
    await page.getByRole('heading', { name: 'Could not connect' }).waitFor()
    expect(await page.getByRole('alert').textContent()).toContain('already used')
    expect(page.url()).toBe(`${stack.appUrl}/callback`)
    expect(codeExchanges()).toBe(1)
  })
})
