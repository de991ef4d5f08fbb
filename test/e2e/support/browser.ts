import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest'
import { type Stack, type StackOptions, startStack } from '../../support/stack'
import { executable } from './executables'
import { SPA_DIR } from './paths'

// Debian's chromium, driven by playwright-core (`npx playwright install` cannot download here).
// The background-networking flags keep it from calling Google's hosts on a closed network.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]

export function chromiumPath(): string {
  return executable(
    'Chromium',
    'CHROMIUM_PATH',
    ['/usr/bin/chromium', '/usr/bin/chromium-browser'],
    'apt-get install -y chromium',
  )
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: FLAGS })
}

/** Every URL the page's top frame has shown, to prove what the address bar ever held. */
export function recordAddresses(page: Page): string[] {
  const seen: string[] = []
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) seen.push(frame.url())
  })
  return seen
}

/** One Chromium for the test file, launched before its first test and closed after its last. */
export function withChromium(): { readonly browser: Browser } {
  const handle = {} as { browser: Browser }
  beforeAll(async () => {
    handle.browser = await launchChromium()
  })
  afterAll(() => handle.browser?.close())
  return handle
}

/**
 * For each test: the app (the real relay and emulator serving the built SPA) and a fresh
 * browser context with one page, both gone after the test.
 */
export function withAppInBrowser(
  options: {
    stack?: StackOptions
    context?: BrowserContextOptions
    prepare?: (context: BrowserContext) => Promise<void>
  } = {},
): { readonly stack: Stack; readonly context: BrowserContext; readonly page: Page } {
  const chromium = withChromium()
  const app = {} as { stack: Stack; context: BrowserContext; page: Page }
  beforeEach(async () => {
    app.stack = await startStack({ staticRoot: SPA_DIR, ...options.stack })
    app.context = await chromium.browser.newContext(options.context)
    await options.prepare?.(app.context)
    app.page = await app.context.newPage()
  })
  afterEach(async () => {
    await app.context?.close()
    await app.stack?.close()
  })
  return app
}
