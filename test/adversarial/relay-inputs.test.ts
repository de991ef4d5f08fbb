import fc from 'fast-check'
import { beforeAll, describe, expect, test } from 'vitest'
import { LOGIN_COOKIE, SESSION_COOKIE } from '../support/cookies'
import { pageHeaders } from '../support/page-post'
import { judge } from './support/answers'
import { distinctCounter, type Figures, figuresFor } from './support/figures'
import {
  headerSafe,
  hostileBody,
  hostileHeaderValue,
  hostileMethod,
  hostilePath,
  hostileString,
  KNOWN_PATHS,
} from './support/hostile'
import { APP, inProcessRelay } from './support/in-process-relay'

// Properties over everything a client controls (method, path, headers, cookies, body): the
// relay refuses or serves, never fails, and always answers in its one error shape.

let relay: Awaited<ReturnType<typeof inProcessRelay>>
let cookies: { login: string; session: string }
beforeAll(async () => {
  relay = await inProcessRelay()
  cookies = await relay.genuineCookies()
})

interface HostileRequest {
  method: string
  path: string
  headers: Record<string, string>
  body?: string | Uint8Array | undefined
}

/** Sends one input and judges the answer; a crash or a malformed answer fails the property. */
async function attack(figures: Figures, count: (input: unknown) => void, input: HostileRequest) {
  let request: Request
  try {
    const withBody = input.body !== undefined && !['GET', 'HEAD'].includes(input.method)
    request = new Request(new URL(input.path, APP), {
      method: input.method,
      headers: input.headers,
      ...(withBody && { body: input.body as BodyInit }),
    })
  } catch {
    fc.pre(false) // not sendable by any HTTP client: nothing to learn
    return
  }
  count({ ...input, body: input.body instanceof Uint8Array ? [...input.body] : input.body })
  let verdict: Awaited<ReturnType<typeof judge>>
  try {
    verdict = await judge(await relay.app.request(request), input.method)
  } catch (error) {
    figures.crashes++
    throw error
  }
  if (verdict.crash) figures.crashes++
  expect(verdict.problem, JSON.stringify(input).slice(0, 500)).toBeNull()
}

const tamperedSealed = (sealed: () => string) =>
  fc.oneof(
    fc.constant(() => sealed()),
    fc
      .tuple(
        fc.nat(),
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_.='),
      )
      .map(([at, char]) => () => {
        const value = sealed()
        const index = at % value.length
        return `${value.slice(0, index)}${char}${value.slice(index + 1)}`
      }),
    fc.nat().map((cut) => () => sealed().slice(0, cut % sealed().length)),
    fc.constant(() => `${sealed()}${sealed()}`),
    fc.constant(() => encodeURIComponent(sealed())),
  )

const hostileCookie = fc.oneof(
  fc.constant(() => ''),
  tamperedSealed(() => cookies.session).map((value) => () => `${SESSION_COOKIE}=${value()}`),
  tamperedSealed(() => cookies.login).map((value) => () => `${LOGIN_COOKIE}=${value()}`),
  // A login cookie where the session cookie goes, and the other way round: purposes differ.
  fc.constant(() => `${SESSION_COOKIE}=${cookies.login}; ${LOGIN_COOKIE}=${cookies.session}`),
  fc.constant(() => `${SESSION_COOKIE}=x; ${SESSION_COOKIE}=${cookies.session}`),
  hostileHeaderValue.map((value) => () => `${SESSION_COOKIE}=${value}`),
  hostileHeaderValue.map((value) => () => value),
)

const postHeaders = fc.record({
  origin: fc.oneof(
    fc.constant(APP),
    fc.constantFrom('https://evil.example', 'null', `${APP}/`, 'HTTP://LOCALHOST:3000', ''),
    hostileHeaderValue,
  ),
  'x-withings-link': fc.oneof(
    fc.constant('1'),
    fc.constantFrom('0', '1 ', 'true', ''),
    hostileHeaderValue,
  ),
  'content-type': fc.oneof(
    fc.constant('application/json'),
    fc.constantFrom(
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/jsonp',
      'application/json-patch+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      '',
    ),
    hostileHeaderValue,
  ),
})

const RUNS = 500

describe('hostile inputs to the relay: never a 5xx, always the one error shape', () => {
  test('bodies posted to every route, as the SPA would send them', async ({ task }) => {
    const figures = figuresFor(task)
    const count = distinctCounter(figures)
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...KNOWN_PATHS),
        hostileBody,
        hostileCookie,
        async (path, body, cookie) => {
          const headers = pageHeaders(APP, { cookie: cookie() || undefined })
          await attack(figures, count, { method: 'POST', path, headers, body })
        },
      ),
      { numRuns: RUNS },
    )
    expect(figures.crashes).toBe(0)
    expect(figures.inputs).toBeGreaterThanOrEqual(60)
  }, 60_000)

  test('headers and cookies: origins, the custom header, content types, tampered seals', async ({
    task,
  }) => {
    const figures = figuresFor(task)
    const count = distinctCounter(figures)
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/api/auth/login',
          '/api/auth/token',
          '/api/auth/refresh',
          '/api/auth/logout',
        ),
        postHeaders,
        hostileCookie,
        fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), hostileHeaderValue, {
          maxKeys: 3,
        }),
        async (path, headers, cookie, extra) => {
          const jar = cookie()
          const all: Record<string, string> = { ...extra, ...headers, ...(jar && { cookie: jar }) }
          for (const [name, value] of Object.entries(all)) if (value === '') delete all[name]
          const body = JSON.stringify({ state: 's'.repeat(43), code: 'c'.repeat(40) })
          await attack(figures, count, {
            method: 'POST',
            path,
            headers: all,
            body: path.endsWith('/login') ? JSON.stringify({ state: 's'.repeat(43) }) : body,
          })
        },
      ),
      { numRuns: RUNS },
    )
    expect(figures.crashes).toBe(0)
    expect(figures.inputs).toBeGreaterThanOrEqual(60)
  }, 60_000)

  test('methods and paths, with and without credentials', async ({ task }) => {
    const figures = figuresFor(task)
    const count = distinctCounter(figures)
    await fc.assert(
      fc.asyncProperty(
        hostileMethod,
        hostilePath,
        fc.boolean(),
        hostileBody,
        async (method, path, credentialed, body) => {
          const headers = credentialed
            ? pageHeaders(APP, { cookie: `${SESSION_COOKIE}=${cookies.session}` })
            : {}
          await attack(figures, count, { method, path, headers, body })
        },
      ),
      { numRuns: RUNS },
    )
    expect(figures.crashes).toBe(0)
    expect(figures.inputs).toBeGreaterThanOrEqual(60)
  }, 60_000)

  test('state and code fields: only well-formed ones ever reach Withings', async ({ task }) => {
    const figures = figuresFor(task)
    const count = distinctCounter(figures)
    const before = relay.emulator.requests.count({ grantType: 'authorization_code' })
    let wellFormed = 0
    await fc.assert(
      fc.asyncProperty(hostileString, hostileString, async (state, code) => {
        if (/^[A-Za-z0-9_-]{43,128}$/.test(state) && /^[A-Za-z0-9._~-]{8,256}$/.test(code)) {
          wellFormed++
        }
        await attack(figures, count, {
          method: 'POST',
          path: '/api/auth/token',
          headers: pageHeaders(APP, { cookie: `${LOGIN_COOKIE}=${headerSafe(cookies.login)}` }),
          body: JSON.stringify({ state, code }),
        })
      }),
      { numRuns: RUNS },
    )
    // A malformed field never costs an upstream call; the login cookie never holds them anyway.
    const upstream = relay.emulator.requests.count({ grantType: 'authorization_code' }) - before
    expect(upstream).toBeLessThanOrEqual(wellFormed)
    expect(figures.crashes).toBe(0)
    expect(figures.inputs).toBeGreaterThanOrEqual(60)
  }, 60_000)
})
