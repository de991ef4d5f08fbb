import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { Builder, Capabilities, type WebDriver, type WebElement } from 'selenium-webdriver'
import { freePort } from '../../../support/free-port'
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
import { collectProblems, drainProblems, findInPage, TESTING_LIBRARY_SOURCE } from './in-page'

// WebKitGTK (Safari's engine), Debian's: WebKitWebDriver under Xvfb, driving the MiniBrowser of
// libwebkit2gtk-4.1, over classic WebDriver with selenium-webdriver.
//
// What WebKitWebDriver 2.50 lacks or does its own way, as seen here:
// - Second pages are windows, not tabs. New tabs were reported to hang; here (2.50.6 under Xvfb)
//   one opened in 0.2 s and the two-page flows passed in tabs too, but the tab not in front is
//   `visibilityState: 'hidden'`, while two windows are both visible, as for a person.
// - The console: no log endpoint ("Unknown command: /session/…/se/log"), no WebDriver BiDi (the
//   `webSocketUrl` capability fails to match), and MiniBrowser's
//   --enable-write-console-messages-to-stdout setting is not applied to automation windows
//   (nothing reaches stdout; nor does the favicon request, which MiniBrowser does not make under
//   automation). So a listener in the page (in-page.ts, collectProblems) records CSP
//   violations, errors and console.error, from the driver's first look at each document on:
//   what happens while a document loads, before that, goes unseen in this engine.
// - Preload scripts: none, so Testing Library is injected into each document at first use.
//
// A session is a MiniBrowser of its own, whose automation data store is ephemeral: a fresh
// session has no cookies or storage. Starting one takes about 0.3 s and quitting it 0.7 s, so
// each test gets its own rather than clearing a shared one.

const miniBrowserPath = () =>
  executable(
    'MiniBrowser (WebKitGTK)',
    'MINIBROWSER_PATH',
    [
      '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
      '/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
    ],
    'apt-get install -y webkit2gtk-driver',
  )

const webDriverPath = () =>
  executable(
    'WebKitWebDriver',
    'WEBKIT_WEBDRIVER_PATH',
    ['/usr/bin/WebKitWebDriver'],
    'apt-get install -y webkit2gtk-driver xvfb xauth',
  )

/**
 * WebKitWebDriver under its own X server (xvfb-run -a), ready for sessions. Tried three times:
 * the free port or the X display it picked may be taken by another process in the meantime.
 */
async function startWebDriver(): Promise<{ url: string; process: ChildProcess }> {
  let output = ''
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort()
    // Its own process group, so that stopping it stops xvfb-run, Xvfb and the driver together.
    const child = spawn('xvfb-run', ['-a', webDriverPath(), `--port=${port}`], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-2_000)
    })
    const url = `http://127.0.0.1:${port}`
    const deadline = Date.now() + WAIT_MS
    while (child.exitCode === null && Date.now() < deadline) {
      const status = await fetch(`${url}/status`).catch(() => undefined)
      if (status?.ok) return { url, process: child }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await stopWebDriver(child)
  }
  throw new Error(`WebKitWebDriver did not start under xvfb-run: ${output}`)
}

async function stopWebDriver(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return
  const exited = once(child, 'exit')
  process.kill(-child.pid, 'SIGTERM')
  await exited
}

/** Runs in the page: the target's matches and the problems seen, or null without the library. */
const QUERY = `const [target] = arguments
if (!globalThis.TestingLibraryDom) return null
return { found: (${findInPage})(target), problems: (${drainProblems})() }`
const INSTALL = `${TESTING_LIBRARY_SOURCE}\n;(${collectProblems})()`

function webkitSession(driver: WebDriver, first: string): BrowserSession {
  const problems: string[] = []
  const handles = [first]
  let current = first

  function webkitWindow(handle: string): BrowserWindow {
    /** WebDriver talks to one window at a time: this one, before every command. */
    async function focus() {
      if (current !== handle) await driver.switchTo().window(handle)
      current = handle
    }
    async function matches(target: Target): Promise<WebElement[]> {
      await focus()
      let answer = await driver.executeScript<QueryAnswer | null>(QUERY, target)
      if (answer === null) {
        await driver.executeScript(INSTALL)
        answer = await driver.executeScript<QueryAnswer | null>(QUERY, target)
      }
      problems.push(...(answer?.problems ?? []))
      return answer?.found ?? []
    }
    const one = (target: Target, timeoutMs?: number) =>
      waitForOne(
        () => matches(target),
        async () => `${describeTarget(target)} at ${await driver.getCurrentUrl()}`,
        timeoutMs,
      )
    const url = async () => {
      await focus()
      return driver.getCurrentUrl()
    }

    return {
      async open(address) {
        await focus()
        await driver.get(address)
      },
      waitFor: async (target, options) => void (await one(target, options?.timeoutMs)),
      click: async (target) => (await one(target)).click(),
      fill: async (target, value) => (await one(target)).sendKeys(value),
      async check(target) {
        const box = await one(target)
        if (!(await box.isSelected())) await box.click()
        await waitUntil(
          () => box.isSelected(),
          (on) => on,
          () => `${describeTarget(target)} stayed off`,
        )
      },
      text: async (target) =>
        driver.executeScript<string>('return arguments[0].textContent', await one(target)),
      url,
      waitForUrl: (prefix) =>
        waitUntil(
          url,
          (address) => address.startsWith(prefix),
          (address) => `the address stayed ${address}, not ${prefix}…`,
        ),
      async reload() {
        await focus()
        await driver.navigate().refresh()
      },
    }
  }

  return {
    window: webkitWindow(first),
    async openWindow() {
      // A window, not a tab: see the top of this file.
      await driver.switchTo().newWindow('window')
      current = await driver.getWindowHandle()
      handles.push(current)
      return webkitWindow(current)
    },
    async problems() {
      for (const handle of handles) {
        await driver.switchTo().window(handle)
        current = handle
        problems.push(...(await driver.executeScript<string[]>(`return (${drainProblems})()`)))
      }
      return [...problems]
    },
    close: () => driver.quit(),
  }
}

interface QueryAnswer {
  found: WebElement[]
  problems: string[]
}

/** `work`, or a rejection naming `what` once `ms` have passed without it. */
async function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms / 1000} s`)), ms)
  })
  try {
    return await Promise.race([work, late])
  } finally {
    clearTimeout(timer)
  }
}

// A session starts in about 0.3 s; once this round (a CI preflight on a fresh clone) a start
// never answered and the test's 120 s hook ran out.
const SESSION_START_MS = 30_000

interface Started {
  driver: WebDriver
  handle: string
}

export const webkit: Engine = {
  name: 'WebKitGTK',
  async launch() {
    let webDriver = await startWebDriver()
    const capabilities = new Capabilities({
      browserName: 'MiniBrowser',
      'webkitgtk:browserOptions': { binary: miniBrowserPath(), args: ['--automation'] },
    })
    const startSession = async (): Promise<Started> => {
      const driver = await new Builder()
        .usingServer(webDriver.url)
        .withCapabilities(capabilities)
        .build()
      return { driver, handle: await driver.getWindowHandle() }
    }
    const started = (ready: Promise<Started>) =>
      within(SESSION_START_MS, 'starting a WebKitGTK session', ready).then(({ driver, handle }) =>
        webkitSession(driver, handle),
      )
    // The first session, started now to read the version, is the first test's.
    let spare: Started | undefined = await startSession()
    const reported = (await spare.driver.getCapabilities()).get('browserVersion')
    return {
      version: `WebKitGTK ${reported}`,
      async newSession() {
        const ready = spare ? Promise.resolve(spare) : startSession()
        spare = undefined
        try {
          return await started(ready)
        } catch (error) {
          // A hung start: a new WebKitWebDriver and X server (the old ones and their MiniBrowser
          // stopped together), tried once more.
          console.warn(`${(error as Error).message}; restarting WebKitWebDriver`)
          await stopWebDriver(webDriver.process)
          webDriver = await startWebDriver()
          return started(startSession())
        }
      },
      async close() {
        await spare?.driver.quit()
        await stopWebDriver(webDriver.process)
      },
    }
  },
}
