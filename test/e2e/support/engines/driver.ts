// What a person's flow may ask of a browser, the same in every engine: elements are found the
// way a person (or a screen reader) finds them, by role and accessible name or by label, never by
// CSS class. Each engine implements it once (chromium.ts, firefox.ts, webkit.ts); the flows in
// test/e2e/every-engine.test.ts are written once against it.

/** The roles the flows look for (add one when a flow needs it). */
export type Role = 'alert' | 'button' | 'heading' | 'img' | 'link' | 'region' | 'switch'

/** An element by role and exact accessible name, or a form field by its exact label. */
export type Target =
  | { readonly role: Role; readonly name?: string | undefined }
  | { readonly label: string }

export const byRole = (role: Role, name?: string): Target => ({ role, name })
export const byLabel = (label: string): Target => ({ label })

export const describeTarget = (target: Target): string =>
  'label' in target
    ? `the field labelled "${target.label}"`
    : `${target.role}${target.name === undefined ? '' : ` "${target.name}"`}`

/** How long a flow waits for an element or an address before it fails. */
export const WAIT_MS = 15_000

export interface BrowserWindow {
  /** Navigates to an absolute URL and waits for its load event. */
  open(url: string): Promise<void>
  /** Waits until exactly one element matches (more than one is an error, as in Playwright). */
  waitFor(target: Target, options?: { timeoutMs?: number }): Promise<void>
  click(target: Target): Promise<void>
  /** Types into an empty field, as a person would. */
  fill(target: Target, value: string): Promise<void>
  /** Turns a switch or checkbox on (left as it is when already on). */
  check(target: Target): Promise<void>
  /** The element's textContent. */
  text(target: Target): Promise<string>
  url(): Promise<string>
  /** Waits until the address starts with `prefix`, and returns it. */
  waitForUrl(prefix: string): Promise<string>
  reload(): Promise<void>
}

/** One person's browser: its own cookies and storage, one window to start with. */
export interface BrowserSession {
  readonly window: BrowserWindow
  /**
   * Another window of the same browser (same cookies and storage), on about:blank, visible
   * beside the first (`document.visibilityState` stays 'visible' in both).
   */
  openWindow(): Promise<BrowserWindow>
  /** Console errors, uncaught errors and CSP violations seen so far, each with its page's URL. */
  problems(): Promise<string[]>
  close(): Promise<void>
}

export interface EngineBrowser {
  /** Product and version, as the running browser reports them. */
  readonly version: string
  /** A fresh session: no cookies, no storage from any earlier one. */
  newSession(): Promise<BrowserSession>
  close(): Promise<void>
}

export interface Engine {
  readonly name: string
  launch(): Promise<EngineBrowser>
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Polls `find` until it yields exactly one element. An attempt that throws (the page navigating
 * under the query) counts as "not yet". Used by the drivers that have no auto-waiting of their own.
 */
export async function waitForOne<T>(
  find: () => Promise<readonly T[] | undefined>,
  what: () => Promise<string>,
  timeoutMs = WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last = 'nothing matched'
  for (;;) {
    const found = await find().catch((error: unknown) => {
      last = `the query failed: ${error instanceof Error ? error.message.split('\n')[0] : error}`
      return undefined
    })
    if (found?.length === 1 && found[0] !== undefined) return found[0]
    if (found && found.length > 1)
      throw new Error(`${await what()}: ${found.length} elements match`)
    if (found) last = 'nothing matched'
    if (Date.now() > deadline) throw new Error(`${await what()}: ${last} within ${timeoutMs} ms`)
    await pause(50)
  }
}

/** Polls `read` until `ok` holds for its value, and returns that value. */
export async function waitUntil<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  what: (last: T | undefined) => string,
  timeoutMs = WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: T | undefined
  for (;;) {
    last = await read().catch(() => last)
    if (last !== undefined && ok(last)) return last
    if (Date.now() > deadline) throw new Error(`${what(last)} within ${timeoutMs} ms`)
    await pause(50)
  }
}
