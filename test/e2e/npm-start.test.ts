import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { killEntries, runStart } from '../support/entry-process'
import type { EngineBrowser } from './support/engines/driver'
import { byRole, ENGINES } from './support/engines/index'
import { SPA_DIR } from './support/paths'

// What a new user does first, in every engine: `npm start` with no credentials (the built-in
// emulator), the one URL it prints opened in the browser — http://localhost, where WebKit keeps no
// Secure cookie — connect as the demo user, reload, disconnect. Here the entry runs as its own
// process, serving the SPA the suite built.

const DEMO_USER = 'Connected as Withings user 363'

afterEach(killEntries)

describe.each(ENGINES.map((engine) => [engine.name, engine] as const))(
  '`npm start` in %s',
  (_name, engine) => {
    let browser: EngineBrowser | undefined
    beforeAll(async () => {
      browser = await engine.launch()
    })
    afterAll(() => browser?.close())

    test('the printed URL: connect as the demo user, survive a reload, disconnect', async () => {
      const app = runStart({ env: { STATIC_DIR: SPA_DIR } })
      const url = await app.url()
      expect(url).toMatch(/^http:\/\/localhost:\d+$/)
      if (!browser) throw new Error(`${engine.name} did not start`)
      const session = await browser.newSession()
      try {
        const { window } = session
        await window.open(url)
        await window.check(byRole('switch', 'Use the Withings demo user'))
        await window.click(byRole('button', 'Connect Withings'))
        await window.click(byRole('button', 'Accept'))
        await window.waitFor(byRole('heading', DEMO_USER))
        expect(await window.url()).toBe(`${url}/`)

        await window.reload()
        await window.waitFor(byRole('heading', DEMO_USER))

        await window.click(byRole('button', 'Disconnect'))
        await window.waitFor(byRole('button', 'Connect Withings'))
        const logout = app.logLines().find((line) => line.route === '/api/auth/logout')
        expect(logout?.status).toBe(200)
        expect(await session.problems(), `${engine.name}'s console`).toEqual([])
      } finally {
        await session.close()
      }
    }, 90_000)
  },
)
