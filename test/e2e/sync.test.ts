import type { Page } from 'playwright-core'
import { afterEach, expect, test } from 'vitest'
import type { StoredMeasure } from '../../relay/contract/stored-data'
import type { PublicConfig } from '../../relay/contract/wire-contract'
import { killEntries, runStart } from '../support/entry-process'
import { freePort } from '../support/free-port'
import { withChromium } from './support/browser'
import { SPA_DIR } from './support/paths'

// The sync's promise, as a new user meets it: `npm start` on a new clone, connect as the demo
// user from the dashboard, watch the import fill it (a progress bar, then "Updated at"); restart
// `npm start`: the history is still there and a view makes no Withings call; a weighing at the
// emulator appears on the open page and in the database moments later.

const chromium = withChromium()
afterEach(killEntries)

const latestWeight = (page: Page) =>
  page.getByRole('region', { name: 'Weight' }).locator('p.latest strong')

test('connect, import with progress, restart, a view from the store, a weighing live', async () => {
  const port = String(await freePort())
  const env = { STATIC_DIR: SPA_DIR, PORT: port }
  const first = runStart({ env })
  const url = await first.url()
  const config = (await (await fetch(`${url}/api/config`)).json()) as PublicConfig
  expect(config.sync).toBe(true)
  const emulator = new URL(config.authorize_url).origin
  const control = (path: string, init?: RequestInit) => fetch(`${emulator}/_emulator${path}`, init)
  // Withings a little slow (300 ms a data call), so that the import takes long enough to watch.
  await control('/faults', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fault: { type: 'delay', ms: 300 }, on: 'data' }),
  })

  const context = await chromium.browser.newContext()
  const page = await context.newPage()
  try {
    await page.goto(`${url}/dashboard`)
    await page.getByRole('switch', { name: 'Use the Withings demo user' }).check()
    await page.getByRole('button', { name: 'Connect Withings' }).click()
    await page.getByRole('button', { name: 'Accept' }).click()
    const progress = page.getByRole('progressbar', { name: 'Importing your Withings history' })
    await progress.waitFor({ timeout: 15_000 })
    expect(await progress.getAttribute('aria-valuetext')).toMatch(/^\d+ of \d+ sources imported$/)
    await page.getByText(/^Updated at /).waitFor({ timeout: 60_000 })
    await control('/faults', { method: 'DELETE' })
    const imported = await latestWeight(page).textContent()
    expect(imported).toMatch(/^\d+(\.\d+)? kg$/)
    expect(await page.getByRole('img', { name: 'Weight, last 365 days' }).count()).toBe(1)

    // Restart: the same folder, the same port.
    first.child.kill('SIGTERM')
    expect(await first.exited).toBe(0)
    const second = runStart({ env, cwd: first.cwd })
    expect(await second.url()).toBe(url)
    const again = (await (await fetch(`${url}/api/config`)).json()) as PublicConfig
    const emulatorAgain = new URL(again.authorize_url).origin
    await fetch(`${emulatorAgain}/_emulator/requests`, { method: 'DELETE' })
    await page.reload()
    await page.getByText(/^Updated at /).waitFor({ timeout: 15_000 })
    expect(await latestWeight(page).textContent()).toBe(imported)
    const counts = await (await fetch(`${emulatorAgain}/_emulator/requests`)).json()
    expect(counts.data, 'Withings data calls for a view').toBe(0)

    // A weighing at Withings: on the open page, and in the database.
    const weighed = await fetch(`${emulatorAgain}/_emulator/notify/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'weighing', userid: 363, kg: 61.35 }),
    })
    expect(weighed.status).toBe(201)
    const started = Date.now()
    await latestWeight(page)
      .filter({ hasText: /^61\.35 kg$/ })
      .waitFor({ timeout: 5_000 })
    console.log(`weighing → open page: ${Date.now() - started} ms`)
    const stored = await page.evaluate(async () => {
      const answer = await fetch('/api/data/measures?types=1')
      return (await answer.json()) as { measures: StoredMeasure[] }
    })
    expect(stored.measures.at(-1)).toMatchObject({ value: 61.35, unit: 'kg', is_own: true })
  } finally {
    await context.close()
  }
}, 180_000)
