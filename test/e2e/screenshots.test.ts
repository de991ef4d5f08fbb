import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { WITHINGS_AUTHORIZE_URL } from '../../relay/core/config'
import { createEmulator } from '../../relay/emulator/emulator'
import { type Listening, listen } from '../../relay/node/listen'
import { buildAuthorizeUrl } from '../../web/react/auth/authorize-url'
import { type Stack, startStack } from '../support/stack'
import { withChromium } from './support/browser'
import { SCREENSHOT_DIR, SPA_DIR } from './support/paths'

// The README's pictures, taken from the real pages. Each shows a deployment's settings
// (https://app.example.com) rather than a test's random ports, and the page's random state is
// made repeatable, so a picture only changes when the page does.

const APP = {
  clientId: 'your-withings-client-id',
  redirectUri: 'https://app.example.com/callback',
}
const APP_ORIGIN = new URL(APP.redirectUri).origin

const chromium = withChromium()
const closers: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})

async function openPage(viewport: { width: number; height: number }): Promise<Page> {
  const context = await chromium.browser.newContext({ viewport, colorScheme: 'light' })
  closers.push(() => context.close())
  const page = await context.newPage()
  // A repeatable stand-in for crypto.getRandomValues, so the state in the URL preview is too.
  await page.addInitScript(() => {
    let seed = 20_240_601
    crypto.getRandomValues = <T extends ArrayBufferView | null>(array: T): T => {
      if (!array) return array
      const bytes = new Uint8Array(array.buffer, array.byteOffset, array.byteLength)
      for (let i = 0; i < bytes.length; i++) {
        seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0
        bytes[i] = seed >>> 24
      }
      return array
    }
  })
  return page
}

async function shoot(page: Page, name: string) {
  const path = join(SCREENSHOT_DIR, name)
  await page.screenshot({ path, fullPage: true, animations: 'disabled', caret: 'hide' })
  const png = readFileSync(path)
  expect(png.subarray(1, 4).toString()).toBe('PNG')
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) }
}

describe('screenshots for the README', () => {
  let stack: Stack
  beforeAll(async () => {
    stack = await startStack({
      staticRoot: SPA_DIR,
      relay: { ...APP, authorizeUrl: WITHINGS_AUTHORIZE_URL, emulator: false },
    })
  })
  afterAll(() => stack?.close())

  test.each([
    { name: 'connect.png', viewport: { width: 1024, height: 768 } },
    { name: 'connect-phone.png', viewport: { width: 390, height: 844 } },
  ])(
    '$name: the Connect page, $viewport.width px wide, nothing wider than the screen',
    async ({ name, viewport }) => {
      const page = await openPage(viewport)
      // The browser believes it is at the deployment's address; the test's server answers.
      await page.route(`${APP_ORIGIN}/**`, async (route) => {
        const { pathname, search } = new URL(route.request().url())
        await route.fulfill({
          response: await route.fetch({ url: stack.appUrl + pathname + search }),
        })
      })
      await page.goto(`${APP_ORIGIN}/`)
      await page.getByRole('button', { name: 'Connect Withings' }).waitFor()
      expect(await page.getByLabel('Authorize URL preview').textContent()).toContain(
        encodeURIComponent(APP.redirectUri),
      )
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(viewport.width)
      const size = await shoot(page, name)
      expect(size.width).toBe(viewport.width)
      expect(size.height).toBeGreaterThanOrEqual(viewport.height)
    },
  )

  test("consent.png: the emulator's consent page for the demo user", async () => {
    const emulator = createEmulator({
      clients: [
        { ...APP, clientSecret: 'unused', callbacks: [APP.redirectUri], name: 'withings-link' },
      ],
    })
    const server: Listening = await listen(emulator.fetch)
    closers.push(() => server.close())
    const page = await openPage({ width: 800, height: 600 })
    await page.goto(
      buildAuthorizeUrl({
        authorizeUrl: `${server.url}/oauth2_user/authorize2`,
        clientId: APP.clientId,
        redirectUri: APP.redirectUri,
        scopes: ['user.metrics', 'user.activity'],
        state: 'screenshot-state-0123456789abcdefghijklmnop',
        demo: true,
      }),
    )
    await page
      .getByRole('heading', { name: 'Allow withings-link to access your Withings data?' })
      .waitFor()
    await page.getByRole('button', { name: 'Accept' }).waitFor()
    expect((await shoot(page, 'consent.png')).width).toBe(800)
  })
})
