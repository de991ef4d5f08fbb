import { describe, expect, test } from 'vitest'
import { withAppInBrowser } from './support/browser'

const app = withAppInBrowser()

const codeExchanges = () => app.stack.emulator.requests.count({ grantType: 'authorization_code' })

/** From the Connect page to Withings' consent page. */
async function openConsent({ demo = true } = {}) {
  await app.page.goto(app.stack.appUrl)
  await app.page.getByRole('button', { name: 'Connect Withings' }).waitFor()
  if (demo) await app.page.getByRole('switch', { name: 'Use the Withings demo user' }).check()
  await app.page.getByRole('button', { name: 'Connect Withings' }).click()
  await app.page.waitForURL(`${app.stack.emulatorUrl}/**`)
}

describe('the whole flow in real Chromium', () => {
  test('connect as the demo user and see the connected view; code never stays in the address bar', async () => {
    const callbackAddresses: string[] = []
    app.page.on('framenavigated', (frame) => {
      if (frame === app.page.mainFrame() && frame.url().includes('/callback'))
        callbackAddresses.push(frame.url())
    })
    await openConsent()
    await app.page.getByRole('button', { name: 'Accept' }).click()

    await app.page.getByRole('heading', { name: 'Connected as Withings user 363' }).waitFor()
    expect(app.page.url()).toBe(`${app.stack.appUrl}/`)
    expect(await app.page.getByText('user.metrics').count()).toBeGreaterThan(0)
    expect(await app.page.getByText('Access token expires').isVisible()).toBe(true)
    expect(callbackAddresses.some((url) => url.includes('code='))).toBe(true) // Withings did send it…
    expect(await app.page.evaluate(() => window.location.href)).not.toContain('code=') // …and it is gone
    expect(codeExchanges()).toBe(1)
  })

  test('a seeded user signs in at the consent page and is connected', async () => {
    await openConsent({ demo: false })
    await app.page.getByLabel('Email').fill('ada@example.com')
    await app.page.getByLabel('Password').fill('ada-emulator')
    await app.page.getByRole('button', { name: 'Sign in' }).click()
    await app.page.getByRole('button', { name: 'Accept' }).click()
    await app.page.getByRole('heading', { name: 'Connected as Withings user 4815162' }).waitFor()
  })

  test('Deny: a plain sentence and a way to try again', async () => {
    await openConsent()
    await app.page.getByRole('button', { name: 'Deny' }).click()
    await app.page.getByRole('heading', { name: 'Access declined' }).waitFor()
    expect(await app.page.getByRole('alert').textContent()).toContain('You declined access')
    await app.page.getByRole('link', { name: 'Connect again' }).click()
    await app.page.getByRole('button', { name: 'Connect Withings' }).waitFor()
    expect(codeExchanges()).toBe(0)
  })

  test('a tampered state fails closed: a clear message and no exchange', async () => {
    await openConsent()
    // Someone alters the state on its way back from Withings.
    await app.page.route(`${app.stack.emulatorUrl}/**`, async (route) => {
      if (route.request().method() !== 'POST') return route.continue()
      const answer = await route.fetch({ maxRedirects: 0 })
      const location = new URL(answer.headers().location ?? '')
      location.searchParams.set('state', `${location.searchParams.get('state')?.slice(0, -2)}xx`)
      await route.fulfill({ status: 302, headers: { location: location.href } })
    })
    await app.page.getByRole('button', { name: 'Accept' }).click()
    await app.page.getByRole('heading', { name: 'Could not connect' }).waitFor()
    expect(await app.page.getByRole('alert').textContent()).toContain('was not accepted')
    expect(app.page.url()).not.toContain('code=')
    expect(codeExchanges()).toBe(0)
  })

  test('reloading the callback URL after success: no second exchange, a clear message', async () => {
    let callbackUrl = ''
    app.page.on('request', (request) => {
      if (request.isNavigationRequest() && request.url().includes('/callback?code=')) {
        callbackUrl = request.url()
      }
    })
    await openConsent()
    await app.page.getByRole('button', { name: 'Accept' }).click()
    await app.page.getByRole('heading', { name: 'Connected as Withings user 363' }).waitFor()
    expect(callbackUrl).toContain('code=')

    await app.page.goto(callbackUrl)
    await app.page.getByRole('heading', { name: 'Could not connect' }).waitFor()
    expect(await app.page.getByRole('alert').textContent()).toContain('already used')
    expect(app.page.url()).toBe(`${app.stack.appUrl}/callback`)
    expect(codeExchanges()).toBe(1)
  })
})
