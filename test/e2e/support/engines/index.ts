import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest'
import { type Stack, type StackOptions, startStack } from '../../../support/stack'
import { SPA_DIR } from '../paths'
import { chromium } from './chromium'
import type { BrowserSession, Engine, EngineBrowser } from './driver'
import { firefox } from './firefox'
import { webkit } from './webkit'

export { byLabel, byRole } from './driver'

/** Every engine the suite proves: Blink, Gecko and WebKit. */
export const ENGINES: readonly Engine[] = [chromium, firefox, webkit]

/**
 * For a describe block of one engine: its browser, launched once before the block's first test
 * and closed after its last; and for each test, the app (the real relay and emulator serving the
 * built SPA) and a fresh browser session. After each test, no page it showed may have logged an
 * error to the console.
 */
export function withEngineApp(
  engine: Engine,
  options: { stack?: StackOptions } = {},
): { readonly stack: Stack; readonly session: BrowserSession } {
  let browser: EngineBrowser | undefined
  let stack: Stack | undefined
  let session: BrowserSession | undefined
  let startedAt = 0
  beforeAll(async () => {
    startedAt = performance.now()
    browser = await engine.launch()
  })
  afterAll(async () => {
    await browser?.close()
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1)
    if (browser) console.info(`e2e engine: ${browser.version}, ${seconds} s with its hooks`)
  })
  beforeEach(async () => {
    if (!browser) throw new Error(`${engine.name} did not start`)
    stack = await startStack({ staticRoot: SPA_DIR, ...options.stack })
    session = await browser.newSession()
  })
  afterEach(async () => {
    const [ending, stopping] = [session, stack]
    session = stack = undefined
    try {
      const problems = (await ending?.problems()) ?? []
      // Not even a failed load: a page without a session gets an ordinary 204 from the relay.
      expect(problems, `${engine.name}'s console`).toEqual([])
    } finally {
      await ending?.close()
      await stopping?.close()
    }
  })
  return {
    get stack() {
      if (!stack) throw new Error('no app outside a test')
      return stack
    },
    get session() {
      if (!session) throw new Error('no browser session outside a test')
      return session
    },
  }
}
