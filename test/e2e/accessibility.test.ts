import { createRequire } from 'node:module'
import type { Result } from 'axe-core'
import type { Page } from 'playwright-core'
import { describe, expect, test } from 'vitest'
import { withAppInBrowser } from './support/browser'

// Every page a person sees on the way to their data, the app's and the emulator's, checked by
// axe-core (Deque's engine, the one browsers' accessibility panels run) in real Chromium, in the
// light and the dark colour scheme: WCAG 2.2 A and AA rules, and axe's best practices. A page
// passes with no violation at all, whatever its impact.

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js')
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']

// bypassCSP: the pages forbid inline and foreign scripts, axe's among them.
const app = withAppInBrowser({ context: { bypassCSP: true } })

/** What axe finds on the page as it is now, one line per rule and element. */
async function violations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE_SOURCE })
  const found = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }),
    TAGS,
  )
  return found.violations.flatMap((rule: Result) =>
    rule.nodes.map((node) => `${rule.id} (${rule.impact}): ${node.target.join(' ')}`),
  )
}

/** The page checked in both colour schemes, each with its own verdict. */
async function expectAccessible(page: Page, name: string) {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme })
    expect(await violations(page), `${name}, ${colorScheme}`).toEqual([])
  }
}

declare global {
  interface Window {
    axe: typeof import('axe-core')
  }
}

describe('axe-core finds nothing', () => {
  test('on the way in: Connect, sign-in, select a user, consent, then the connected app and its dashboard', async () => {
    const { page, stack } = app
    await page.goto(stack.appUrl)
    await page.getByRole('button', { name: 'Connect Withings' }).waitFor()
    await expectAccessible(page, 'the Connect page')

    await page.getByRole('button', { name: 'Connect Withings' }).click()
    await page.waitForURL(`${stack.emulatorUrl}/**`)
    await page.getByRole('heading', { name: 'Sign in to Withings' }).waitFor()
    await expectAccessible(page, "the emulator's sign-in page")

    await page.getByLabel('Email').fill('family@example.com')
    await page.getByLabel('Password').fill('not the password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').waitFor()
    await expectAccessible(page, "the emulator's sign-in page, with its error")

    await page.getByLabel('Password').fill('family-emulator')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Select a user' }).waitFor()
    await expectAccessible(page, "the emulator's select-user page")

    await page.getByRole('button', { name: 'Sam' }).click()
    await page.getByRole('button', { name: 'Accept' }).waitFor()
    await expectAccessible(page, "the emulator's consent page")

    await page.getByRole('button', { name: 'Accept' }).click()
    await page.getByRole('button', { name: 'Disconnect' }).waitFor()
    await expectAccessible(page, 'the connected home page')

    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Dashboard' })
      .click()
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
    await page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' })
    await expectAccessible(page, 'the dashboard')
  })
})
