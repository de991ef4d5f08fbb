import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { parseCallbackParams, safeReturnTo } from '../../web/react/auth/callback-params'
import { distinctCounter, figuresFor } from './support/figures'
import { hostileString, NASTY_STRINGS } from './support/hostile'

// The SPA's side of the callback: whatever Withings (or someone else) puts in the callback URL,
// parsing never throws and never guesses; whatever a state entry says, the page never sends
// the person to another site (RFC 9700 §4.11, open redirection).

const APP = 'https://app.example.com'

const REDIRECT_TRICKS = [
  '//evil.example',
  '/\\evil.example',
  '\\\\evil.example',
  '/\t/evil.example',
  '/\n/evil.example',
  '/\r/evil.example',
  '/.//evil.example',
  '/a/..//evil.example',
  '/%2f/evil.example',
  '/%5cevil.example',
  'https://evil.example',
  'javascript:alert(1)',
  ' /evil',
  '/\u3002evil.example',
  '/ /evil.example',
  '/?next=//evil.example',
  '/#//evil.example',
]

const pathLike = fc.oneof(
  fc.constantFrom(...REDIRECT_TRICKS, ...NASTY_STRINGS),
  fc
    .array(
      fc.oneof(
        fc.constantFrom('/', '\\', '.', '..', '\t', '\n', ':', '%2f', 'evil.example', '?', '#'),
        hostileString,
      ),
      {
        maxLength: 6,
      },
    )
    .map((parts) => parts.join('')),
  hostileString.map((text) => `/${text}`),
  fc.webPath(),
  fc.webUrl(),
)

describe("the SPA's callback parsing", () => {
  test('safeReturnTo never leaves the app, however the browser reads the path', ({ task }) => {
    const figures = figuresFor(task)
    const count = distinctCounter(figures)
    fc.assert(
      fc.property(pathLike, (returnTo) => {
        count(returnTo)
        let safe: string
        try {
          safe = safeReturnTo(returnTo)
        } catch (error) {
          figures.crashes++
          throw error
        }
        expect(safe.startsWith('/') && !safe.startsWith('//')).toBe(true)
        // Resolved as a link, as history.pushState, and again from the result: same origin.
        const resolved = new URL(safe, APP)
        expect(resolved.origin).toBe(APP)
        expect(new URL(resolved.pathname, APP).origin).toBe(APP)
        expect(safeReturnTo(safe)).toBe(safe)
      }),
      { numRuns: 2_000, examples: REDIRECT_TRICKS.map((trick) => [trick]) },
    )
    expect(figures.crashes).toBe(0)
  })

  test('parseCallbackParams never throws, never guesses between duplicates, never keeps long values', ({
    task,
  }) => {
    const figures = figuresFor(task)
    const count = distinctCounter(figures)
    const name = fc.constantFrom(
      'code',
      'state',
      'error',
      'Code',
      'code[]',
      'error_description',
      'x',
    )
    const value = fc.oneof(
      hostileString,
      fc.nat({ max: 600 }).map((n) => 'v'.repeat(n)),
    )
    const search = fc.oneof(
      fc
        .array(fc.tuple(name, value), { maxLength: 6 })
        .map((pairs) => `?${new URLSearchParams(pairs).toString()}`),
      fc
        .array(fc.tuple(name, hostileString), { maxLength: 6 })
        .map((pairs) => `?${pairs.map(([key, raw]) => `${key}=${raw}`).join('&')}`),
      hostileString,
      fc.webQueryParameters().map((query) => `?${query}`),
    )
    fc.assert(
      fc.property(search, (query) => {
        count(query)
        let parsed: ReturnType<typeof parseCallbackParams>
        try {
          parsed = parseCallbackParams(query)
        } catch (error) {
          figures.crashes++
          throw error
        }
        const params = new URLSearchParams(query)
        const sole = (key: string) => {
          const all = params.getAll(key)
          return all.length === 1 && all[0] && all[0].length <= 512 ? all[0] : null
        }
        if (parsed.kind === 'code') {
          expect(sole('error')).toBeNull()
          expect(parsed.code).toBe(sole('code'))
          expect(parsed.state).toBe(sole('state'))
        } else if (parsed.kind === 'error') {
          expect(parsed.error).toBe(sole('error'))
          expect(parsed.state).toBe(sole('state'))
        } else {
          expect(sole('error')).toBeNull()
          expect(sole('code') !== null && sole('state') !== null).toBe(false)
        }
      }),
      { numRuns: 2_000 },
    )
    expect(figures.crashes).toBe(0)
  })
})
