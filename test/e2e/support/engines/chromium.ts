import type { BrowserContext, Page } from 'playwright-core'
import { launchChromium } from '../browser'
import {
  type BrowserSession,
  type BrowserWindow,
  type Engine,
  type Target,
  WAIT_MS,
} from './driver'

// Chromium: Debian's, driven by playwright-core (as in ./browser.ts), with Playwright's own
// queries by role and label, exact names only. One fresh browser context per session.

function locate(page: Page, target: Target) {
  return 'label' in target
    ? page.getByLabel(target.label, { exact: true })
    : page.getByRole(target.role, { name: target.name, exact: true })
}

function chromiumWindow(page: Page, problems: string[]): BrowserWindow {
  page.on('console', (message) => {
    if (message.type() !== 'error') return
    const { url } = message.location()
    problems.push(`${page.url()}: ${message.text()}${url && url !== page.url() ? ` (${url})` : ''}`)
  })
  page.on('pageerror', (error) => problems.push(`${page.url()}: uncaught ${error.message}`))
  return {
    open: async (url) => void (await page.goto(url)),
    waitFor: (target, options) =>
      locate(page, target).waitFor({ timeout: options?.timeoutMs ?? WAIT_MS }),
    click: (target) => locate(page, target).click({ timeout: WAIT_MS }),
    fill: (target, value) => locate(page, target).fill(value, { timeout: WAIT_MS }),
    check: (target) => locate(page, target).check({ timeout: WAIT_MS }),
    text: async (target) => (await locate(page, target).textContent({ timeout: WAIT_MS })) ?? '',
    url: async () => page.url(),
    async waitForUrl(prefix) {
      await page.waitForURL((url) => url.href.startsWith(prefix), { timeout: WAIT_MS })
      return page.url()
    },
    reload: async () => void (await page.reload()),
  }
}

function chromiumSession(context: BrowserContext, first: Page): BrowserSession {
  const problems: string[] = []
  return {
    window: chromiumWindow(first, problems),
    openWindow: async () => chromiumWindow(await context.newPage(), problems),
    problems: async () => [...problems],
    close: () => context.close(),
  }
}

export const chromium: Engine = {
  name: 'Chromium',
  async launch() {
    const browser = await launchChromium()
    return {
      version: `Chromium ${browser.version()}`,
      async newSession() {
        const context = await browser.newContext()
        return chromiumSession(context, await context.newPage())
      },
      close: () => browser.close(),
    }
  },
}
