import puppeteer, { type BrowserContext, type ElementHandle, type Page } from 'puppeteer-core'
import { executable } from '../executables'
import {
  type BrowserSession,
  type BrowserWindow,
  describeTarget,
  type Engine,
  type Target,
  WAIT_MS,
  waitForOne,
  waitUntil,
} from './driver'
import { findInPage, TESTING_LIBRARY_SOURCE } from './in-page'

// Firefox ESR, Debian's, driven by puppeteer-core over WebDriver BiDi. Testing Library is
// preloaded into every document (a BiDi preload script, before the page's own scripts); the
// console is read as it is (BiDi log entries: console errors, uncaught errors, and CSP
// violations, which Firefox reports as errors). One browser context per session: its own
// cookies and storage.

const firefoxPath = () =>
  executable(
    'Firefox ESR',
    'FIREFOX_PATH',
    ['/usr/bin/firefox-esr', '/usr/bin/firefox'],
    'apt-get install -y firefox-esr',
  )

/** Runs in the page: whether a switch or checkbox is on. */
const isOn = (element: Element) => element instanceof HTMLInputElement && element.checked

async function firefoxWindow(page: Page, problems: string[]): Promise<BrowserWindow> {
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`${page.url()}: ${message.text()}`)
  })
  page.on('pageerror', (error) =>
    problems.push(`${page.url()}: ${error instanceof Error ? error.message : String(error)}`),
  )
  await page.evaluateOnNewDocument(TESTING_LIBRARY_SOURCE)

  const matches = async (target: Target): Promise<ElementHandle<Element>[]> => {
    const list = await page.evaluateHandle(findInPage, target)
    try {
      const elements = [...(await list.getProperties()).values()].map((handle) =>
        handle.asElement(),
      )
      return elements.filter((element): element is ElementHandle<Element> => element !== null)
    } finally {
      await list.dispose()
    }
  }
  const one = (target: Target, timeoutMs = WAIT_MS) =>
    waitForOne(
      () => matches(target),
      async () => `${describeTarget(target)} at ${page.url()}`,
      timeoutMs,
    )

  return {
    open: async (url) => void (await page.goto(url)),
    waitFor: async (target, options) => void (await one(target, options?.timeoutMs)),
    click: async (target) => (await one(target)).click(),
    async fill(target, value) {
      const field = await one(target)
      await field.focus()
      await field.type(value)
    },
    async check(target) {
      const box = await one(target)
      if (!(await box.evaluate(isOn))) {
        await box.click()
      }
      await waitUntil(
        () => box.evaluate(isOn),
        (checked) => checked,
        () => `${describeTarget(target)} stayed off`,
      )
    },
    text: async (target) => (await one(target)).evaluate((element) => element.textContent ?? ''),
    url: async () => page.url(),
    waitForUrl: (prefix) =>
      waitUntil(
        async () => page.url(),
        (url) => url.startsWith(prefix),
        (url) => `the address stayed ${url}, not ${prefix}…`,
      ),
    reload: async () => void (await page.reload()),
  }
}

async function firefoxSession(context: BrowserContext): Promise<BrowserSession> {
  const problems: string[] = []
  return {
    window: await firefoxWindow(await context.newPage(), problems),
    // A window: a second tab would be `visibilityState: 'hidden'` behind the first one.
    openWindow: async () => firefoxWindow(await context.newPage({ type: 'window' }), problems),
    problems: async () => [...problems],
    close: () => context.close(),
  }
}

export const firefox: Engine = {
  name: 'Firefox ESR',
  async launch() {
    const browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: firefoxPath(),
      headless: true,
    })
    // "firefox/153.8.0"
    const version = (await browser.version()).replace(/^firefox\//i, 'Firefox ')
    return {
      version,
      newSession: async () => firefoxSession(await browser.createBrowserContext()),
      close: () => browser.close(),
    }
  },
}
