import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { withAppInBrowser } from './support/browser'
import { SCREENSHOT_DIR } from './support/paths'

// One fixed moment for the relay, the emulator (whose seeded data ends "now") and the page, so
// the screenshot shows the same data on every run.
const SHOWN_AT = Date.UTC(2025, 5, 15, 18, 0, 0)

const app = withAppInBrowser({
  stack: { now: () => SHOWN_AT },
  context: { viewport: { width: 1280, height: 900 } },
  prepare: (context) => context.clock.setFixedTime(SHOWN_AT),
})

/** Script files the page fetched, by name. */
function scriptsLoaded(): string[] {
  const scripts: string[] = []
  app.page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname)
  })
  return scripts
}

// Connecting from /dashboard, the charts and the latest weight are proven in every engine
// (every-engine.test.ts); here, Chromium alone: the README's picture and the lazy loading.

describe('the dashboard in real Chromium', () => {
  test('the dashboard screenshot, after checking what the connection can do', async () => {
    await app.page.goto(`${app.stack.appUrl}/dashboard`)
    await app.page.getByRole('switch', { name: 'Use the Withings demo user' }).check()
    await app.page.getByRole('button', { name: 'Connect Withings' }).click()
    await app.page.waitForURL(`${app.stack.emulatorUrl}/**`)
    await app.page.getByRole('button', { name: 'Accept' }).click()

    for (const chart of [
      'Weight, last 90 days',
      'Blood pressure, last 90 days',
      'Steps per day, last 30 days',
      'Sleep per night, last 30 days',
    ]) {
      await app.page.getByRole('img', { name: chart }).waitFor()
    }
    const scopes = app.page.getByRole('region', { name: 'What this connection can do' })
    const result = (scope: string) => scopes.getByRole('row', { name: new RegExp(`^${scope} `) })
    await result('user.metrics').getByText('Allowed').waitFor()
    expect(await result('user.activity').textContent()).toContain('Allowed')
    expect(await result('user.info').textContent()).toContain('Denied')
    // Not asked for here: bed events would put a time of day in the picture.
    expect(await result('user.sleepevents').textContent()).toContain('Denied')

    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    // A still pointer, every panel settled, two frames painted, and the full-page capture (it
    // repaints the whole page, clipped to the viewport): the same pixels every run, under load too.
    await app.page.mouse.move(0, 0)
    await app.page.locator('[aria-busy="true"]').first().waitFor({ state: 'detached' })
    await app.page.evaluate(
      () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
    )
    await app.page.screenshot({
      path: join(SCREENSHOT_DIR, 'dashboard.png'),
      fullPage: true,
      clip: { x: 0, y: 0, width: 1280, height: 900 },
    })
  })

  test('the dashboard is loaded only when visited, from the header link', async () => {
    const scripts = scriptsLoaded()
    await app.page.goto(app.stack.appUrl)
    await app.page.getByRole('button', { name: 'Connect Withings' }).waitFor()
    const firstLoad = scripts.length
    expect(firstLoad).toBeGreaterThan(0)

    await app.page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Dashboard' })
      .click()
    await app.page.getByRole('heading', { name: 'Dashboard' }).waitFor()
    await app.page.getByRole('button', { name: 'Connect Withings' }).waitFor()
    expect(scripts.length).toBeGreaterThan(firstLoad)
    expect(scripts.slice(firstLoad).some((path) => /DashboardPage/.test(path))).toBe(true)
  })
})
