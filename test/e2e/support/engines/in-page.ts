import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type * as TestingLibrary from '@testing-library/dom'
import type { Target } from './driver'

// The query by role and accessible name that Firefox and WebKit run inside the page: Testing
// Library's own (its browser bundle, injected into each document), the same queries and the
// same accessible-name computation as the project's page tests, so "button Connect Withings"
// means the same thing in both engines. Chromium uses Playwright's getByRole with exact names.

const packageJson = createRequire(import.meta.url).resolve('@testing-library/dom/package.json')

/** Testing Library's browser bundle: defines `window.TestingLibraryDom`. */
export const TESTING_LIBRARY_SOURCE = readFileSync(
  join(dirname(packageJson), 'dist/@testing-library/dom.umd.min.js'),
  'utf8',
)

type PageGlobals = typeof globalThis & {
  TestingLibraryDom?: typeof TestingLibrary
  withingsLinkProblems?: string[]
}

/**
 * Runs in the page (serialized, so it may use nothing from this module): the elements matching
 * the target; none before the document has Testing Library (see INSTALL in webkit.ts).
 */
export function findInPage(target: Target): Element[] {
  const library = (globalThis as PageGlobals).TestingLibraryDom
  if (!library || !document.body) return []
  if ('label' in target) return library.queryAllByLabelText(document.body, target.label)
  return library.queryAllByRole(
    document.body,
    target.role,
    target.name === undefined ? {} : { name: target.name },
  )
}

/**
 * Runs in the page: records, from now on, what a console would show as an error — CSP
 * violations, uncaught errors, failed resource loads, unhandled rejections, console.error — for
 * engines whose console the test cannot read. `drainProblems` hands them over.
 */
export function collectProblems(): void {
  const page = globalThis as PageGlobals
  if (page.withingsLinkProblems) return
  const problems: string[] = []
  page.withingsLinkProblems = problems
  const note = (text: string) => problems.push(`${location.href}: ${text}`)
  document.addEventListener('securitypolicyviolation', (event) =>
    note(`CSP blocked ${event.blockedURI} (${event.violatedDirective})`),
  )
  addEventListener(
    'error',
    (event) => {
      const source = event.target
      if (source instanceof HTMLElement && source !== document.body) {
        note(`failed to load ${source.getAttribute('src') ?? source.getAttribute('href')}`)
      } else note(`uncaught ${event.message}`)
    },
    true,
  )
  addEventListener('unhandledrejection', (event) => note(`unhandled rejection ${event.reason}`))
  const error = console.error.bind(console)
  console.error = (...values: unknown[]) => {
    note(`console.error ${values.map(String).join(' ')}`)
    error(...values)
  }
}

/** Runs in the page: the problems recorded since the last call. */
export function drainProblems(): string[] {
  return (globalThis as PageGlobals).withingsLinkProblems?.splice(0) ?? []
}
