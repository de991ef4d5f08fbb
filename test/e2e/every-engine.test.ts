import { describe, expect, test } from 'vitest'
import type { LogLine } from '../../relay/core/http/request-log'
import { formatDay, formatMoment } from '../../web/app/data/format'
import { formatMeasure, WEIGHT } from '../../web/app/data/meastypes'
import { consentViaHttp } from '../support/consent'
import type { BrowserWindow } from './support/engines/driver'
import { byLabel, byRole, ENGINES, withEngineApp } from './support/engines/index'

// A person's flows, written once and run in Chromium, Firefox ESR and WebKitGTK (Safari's
// engine), each through its own driver (support/engines). After every test, no page it showed —
// the app's or the emulator's — may have logged an error to the console.

const DEMO_USER = 'Connected as Withings user 363'
const connectButton = byRole('button', 'Connect Withings')

const engines = ENGINES.map((engine) => [engine.name, engine] as const)

const isOpenStream = (line: LogLine) => line.route === '/api/events' && line.status === 200

/** Polls `check` every 20 ms until it holds, or fails after `timeoutMs`. */
async function waitUntil(check: () => Promise<boolean>, failure: string, timeoutMs = 15_000) {
  const deadline = performance.now() + timeoutMs
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`${failure} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe.each(engines)('the flows in %s', (_name, engine) => {
  const app = withEngineApp(engine)
  const codeExchanges = () => app.stack.emulator.requests.count({ grantType: 'authorization_code' })

  /** From the app's page at `path`, Connect Withings, to Withings' page: its address. */
  async function openConsent(
    window: BrowserWindow,
    { demo = true, path = '/', scopes = [] as string[] } = {},
  ) {
    await window.open(app.stack.appUrl + path)
    for (const scope of scopes) await window.check(byLabel(scope))
    if (demo) await window.check(byRole('switch', 'Use the Withings demo user'))
    await window.click(connectButton)
    return window.waitForUrl(`${app.stack.emulatorUrl}/`)
  }

  async function connectAsDemo(window: BrowserWindow, path = '/') {
    await openConsent(window, { path })
    await window.click(byRole('button', 'Accept'))
    await window.waitFor(byRole('heading', DEMO_USER))
  }

  test('connect as the demo user: back at the app, connected', async () => {
    const { window } = app.session
    await connectAsDemo(window)
    expect(await window.url()).toBe(`${app.stack.appUrl}/`)
    expect(codeExchanges()).toBe(1)
  })

  test('a seeded user signs in at the emulator and is connected', async () => {
    const { window } = app.session
    await openConsent(window, { demo: false })
    await window.fill(byLabel('Email'), 'ada@example.com')
    await window.fill(byLabel('Password'), 'ada-emulator')
    await window.click(byRole('button', 'Sign in'))
    await window.click(byRole('button', 'Accept'))
    await window.waitFor(byRole('heading', 'Connected as Withings user 4815162'))
  })

  test('Deny: a plain sentence and a way to try again', async () => {
    const { window } = app.session
    await openConsent(window)
    await window.click(byRole('button', 'Deny'))
    await window.waitFor(byRole('heading', 'Access declined'))
    expect(await window.text(byRole('alert'))).toContain('You declined access')
    await window.click(byRole('link', 'Connect again'))
    await window.waitFor(connectButton)
    expect(codeExchanges()).toBe(0)
  })

  test('a tampered state fails closed: a clear message and no code exchange', async () => {
    const { window } = app.session
    // Withings' answer, with its state altered on the way back to the browser.
    const callback = await consentViaHttp(await openConsent(window))
    const state = callback.searchParams.get('state') ?? ''
    callback.searchParams.set('state', `${state.slice(0, -1)}${state.endsWith('A') ? 'B' : 'A'}`)
    await window.open(callback.href)
    await window.waitFor(byRole('heading', 'Could not connect'))
    expect(await window.text(byRole('alert'))).toContain('was not accepted')
    expect(await window.url()).not.toContain('code=')
    expect(codeExchanges()).toBe(0)
  })

  test('the code leaves the address bar; the callback again: no second exchange', async () => {
    const { window } = app.session
    const callback = await consentViaHttp(await openConsent(window))
    await window.open(callback.href)
    await window.waitFor(byRole('heading', DEMO_USER))
    expect(await window.url()).toBe(`${app.stack.appUrl}/`)

    await window.open(callback.href)
    await window.waitFor(byRole('heading', 'Could not connect'))
    expect(await window.text(byRole('alert'))).toContain('already used')
    expect(await window.url()).toBe(`${app.stack.appUrl}/callback`)
    expect(codeExchanges()).toBe(1)
  })

  test('a reload stays connected, and so does a second window, with no click', async () => {
    const { window } = app.session
    await connectAsDemo(window)
    await window.reload()
    await window.waitFor(byRole('heading', DEMO_USER))
    const another = await app.session.openWindow()
    await another.open(app.stack.appUrl)
    await another.waitFor(byRole('heading', DEMO_USER))
  })

  test('Disconnect in one window reaches the other without a reload', async () => {
    const here = app.session.window
    await connectAsDemo(here)
    const there = await app.session.openWindow()
    await there.open(app.stack.appUrl)
    await there.waitFor(byRole('heading', DEMO_USER))

    await here.click(byRole('button', 'Disconnect'))
    await here.waitFor(connectButton)
    await there.waitFor(connectButton, { timeoutMs: 2_000 })
    await there.reload()
    await there.waitFor(connectButton)
  })

  test('with user.sleepevents on the dashboard: a bed-in at Withings shows on the open page within a second', async () => {
    const { window } = app.session
    await openConsent(window, { path: '/dashboard', scopes: ['user.sleepevents'] })
    await window.click(byRole('button', 'Accept'))
    await window.waitFor(byRole('region', 'Bed'))
    // The relay subscribes in the background after the exchange; the page opens its stream.
    await app.stack.settled()
    const bed = app.stack.emulator.notifications.subscriptions.filter((s) => s.appli === 50)
    expect(bed).toHaveLength(1)
    await waitUntil(async () => app.stack.logs.some(isOpenStream), 'the page opened no stream')

    const started = performance.now()
    const triggered = await app.stack.emulator.notifications.trigger({
      type: 'bed_in',
      userid: 363,
    })
    const at = formatMoment(Number(triggered.payload.date) * 1000)
    await waitUntil(
      async () => (await window.text(byRole('region', 'Bed'))).includes(`In bed since ${at}`),
      'the Bed panel never said "In bed since"',
      1_000,
    )
    console.info(`bed-in to page: ${Math.round(performance.now() - started)} ms`)
  })

  test('from /dashboard: connect, land back there, see the weight chart and the latest weight', async () => {
    const { window } = app.session
    await openConsent(window, { path: '/dashboard' })
    await window.click(byRole('button', 'Accept'))
    await window.waitFor(byRole('img', 'Weight, last 90 days'))
    expect(await window.url()).toBe(`${app.stack.appUrl}/dashboard`)
    const latest = app.stack.emulator.data.latestMeasure(363, WEIGHT)
    expect(latest).toBeDefined()
    const shown = `Latest: ${formatMeasure(WEIGHT, latest?.real ?? 0)} on ${formatDay((latest?.date ?? 0) * 1000)}`
    expect(await window.text(byRole('region', 'Weight'))).toContain(shown)
    for (const chart of [
      'Blood pressure, last 90 days',
      'Steps per day, last 30 days',
      'Sleep per night, last 30 days',
    ]) {
      await window.waitFor(byRole('img', chart))
    }
  })
})
