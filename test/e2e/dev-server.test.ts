import { afterAll, describe, expect, test } from 'vitest'
import { killEntries, runDev } from '../support/entry-process'
import { withChromium } from './support/browser'

// `npm run dev` in a real browser: the page Vite serves (source modules, hot reload) connects
// through the relay at /api and the emulator, and comes back to the dev server's own /callback.

const chromium = withChromium()
afterAll(() => killEntries())

describe('npm run dev in Chromium', () => {
  test('connect as the demo user, all on the one URL it prints', async () => {
    const dev = runDev()
    const url = await dev.url()
    const context = await chromium.browser.newContext()
    const page = await context.newPage()
    const hotReload = page.waitForEvent('websocket', (socket) => socket.url().startsWith('ws://'))

    await page.goto(url)
    await page.getByRole('switch', { name: 'Use the Withings demo user' }).check()
    await page.getByRole('button', { name: 'Connect Withings' }).click()
    await page.getByRole('button', { name: 'Accept' }).click()
    await page.getByRole('heading', { name: 'Connected as Withings user 363' }).waitFor()

    expect(new URL(page.url()).origin).toBe(url)
    expect((await hotReload).url()).toContain(new URL(url).host) // Vite's HMR channel
    await context.close()
  }, 60_000)
})
