import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'vite'
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest'
import { createRelay } from '../../relay/core/create-relay'
import { createSealer } from '../../relay/core/seal'
import { createApiClient } from '../support/api-client'
import { SESSION_COOKIE, sealedField } from '../support/cookies'
import { startLogin } from '../support/login'
import { pagePost } from '../support/page-post'
import { testConfig } from '../support/relay-config'
import { CLIENT_ID, fakeClock, type Stack, startStack } from '../support/stack'
import { figuresFor } from './support/figures'
import { APP } from './support/in-process-relay'
import { createLeakHunter } from './support/leak-hunter'

// A canary client secret and cookie key, in the .env the SPA is built with and in the relay's
// config, hunted through the built SPA, every response (headers and bodies) and every log line,
// along with every code and refresh token of the run, on the happy path and on error paths.

const CANARY_SECRET = 'canary-client-secret-7f3c9a1e5b2d4c6e8a0b'
const CANARY_KEY = 'canaryRelayKey0d9e8f7a6b5c4d3e2f1a0b9cX7Qw2'
const OTHER_SECRET = 'canary-wrong-secret-5a4b3c2d1e0f9a8b7c6d'

let dist: string
let stack: Stack | undefined

beforeAll(async () => {
  // The developer's .env holds the secrets; the SPA build must take none of them.
  const envDir = mkdtempSync(join(tmpdir(), 'wl-env-'))
  writeFileSync(
    join(envDir, '.env'),
    `WITHINGS_CLIENT_ID=${CLIENT_ID}\nWITHINGS_CLIENT_SECRET=${CANARY_SECRET}\nRELAY_SECRET=${CANARY_KEY}\n`,
  )
  dist = mkdtempSync(join(tmpdir(), 'wl-dist-'))
  await build({ logLevel: 'silent', envDir, build: { outDir: dist, emptyOutDir: true } })
}, 60_000)
afterEach(() => stack?.close())
afterAll(() => vi.restoreAllMocks())

function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
}

describe('no leaks', () => {
  test('the canary secret, codes and tokens appear in no built file, response or log line', async ({
    task,
  }) => {
    const figures = figuresFor(task)
    const hunter = createLeakHunter(figures)
    hunter.secret('client secret', CANARY_SECRET)
    hunter.secret('cookie key', CANARY_KEY)
    hunter.secret('wrong client secret', OTHER_SECRET)
    const printed = (['log', 'info', 'warn', 'error'] as const).map((level) =>
      vi
        .spyOn(console, level)
        .mockImplementation((...args) => hunter.log(`console.${level}`, args)),
    )

    const built = filesUnder(dist)
    expect(built.some((file) => file.endsWith('.js'))).toBe(true)
    for (const file of built) hunter.file(file, readFileSync(file, 'latin1'))

    const clock = fakeClock()
    stack = await startStack({
      now: clock.now,
      staticRoot: dist,
      emulatorSecret: CANARY_SECRET,
      relay: { clientSecret: CANARY_SECRET, relaySecrets: [CANARY_KEY] },
    })
    const api = createApiClient(stack.appUrl)
    const seen = (where: string) => (response: Response) => hunter.response(where, response)
    const unseal = createSealer([CANARY_KEY], clock.now)
    // Both tokens live only in the sealed cookie: neither may show anywhere, answers included.
    const rememberSession = async () => {
      const sealed = api.jar.get(SESSION_COOKIE)
      const opened = sealed && (await unseal.unseal(SESSION_COOKIE, sealed))
      hunter.secret('refresh token', opened ? sealedField(opened.value, 'refreshToken') : undefined)
      hunter.secret('access token', opened ? sealedField(opened.value, 'accessToken') : undefined)
    }
    const login = async () => {
      const started = await startLogin(stack as Stack, api)
      hunter.secret('code', started.code)
      hunter.secret('state', started.state, { inResponses: true })
      return started
    }
    const later = () => clock.advance(11_000)
    /** Past the access token's refresh moment, so that a reload refreshes. */
    const due = async () => {
      const view = await (await api.post('/api/auth/session')).json()
      clock.advance(view.refresh_at * 1000 - clock.now())
    }

    // The SPA's pages and assets, the callback with a code in its address included.
    const page = await api.request('/').then(seen('GET /'))
    for (const asset of (await page.text()).matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) {
      await api.request(asset[1] ?? '').then(seen(`GET ${asset[1]}`))
    }
    for (const path of [
      '/callback?code=abc123&state=def456',
      '/dashboard',
      '/api/config',
      '/api/healthz',
    ]) {
      await api.request(path).then(seen(`GET ${path}`))
    }

    // The happy path: connect, read data, refresh twice.
    const first = await login()
    await api.post('/api/auth/token', first.body).then(seen('POST token'))
    await rememberSession()
    await api.post('/api/withings/v2/heart', { action: 'list' }).then(seen('POST data'))
    for (const round of [1, 2]) {
      await due()
      await api.post('/api/auth/session').then(seen(`POST session, refreshing ${round}`))
      await rememberSession()
    }

    // Transport failures, whose causes carry bodies and sockets, through a relay with a short
    // deadline (the calm steps keep the default one, so a busy machine cannot time them out).
    const impatient = await stack.addRelay({ upstreamTimeoutMs: 300 })
    for (const fault of [
      { type: 'broken-json' },
      { type: 'truncated' },
      { type: 'reset' },
      { type: 'http', status: 502 },
      { type: 'delay', ms: 500 },
    ] as const) {
      later()
      await due()
      stack.emulator.faults.inject(fault, { on: 'token', times: 1 })
      figures.faults++
      await api
        .post('/api/auth/session', undefined, { base: impatient })
        .then(seen(`refresh under ${fault.type}`))
    }

    // Error paths: a reused code, and a Withings that echoes what it was sent.
    later()
    const second = await login()
    await api.post('/api/auth/token', { code: first.code, state: second.state }).then(seen('reuse'))
    const echo = (sent: string) => ({
      type: 'status' as const,
      status: 503,
      error: `Invalid Params: client_secret=${CANARY_SECRET}&${sent}`,
    })
    later()
    const third = await login()
    stack.emulator.faults.inject(echo(`code=${third.code}`), { on: 'token', times: 1 })
    figures.faults++
    await api.post('/api/auth/token', third.body).then(seen('echoing exchange'))
    const sealed = await unseal.unseal(SESSION_COOKIE, api.jar.get(SESSION_COOKIE) ?? '')
    const refreshToken = sealedField(sealed?.value, 'refreshToken')
    // First a 5xx (logged as an error), then a refusal (which ends the session).
    for (const error of [`${refreshToken}`, `refresh_token=${refreshToken}`]) {
      later()
      await due()
      const status = error.includes('=') ? 503 : 2554
      stack.emulator.faults.inject({ type: 'status', status, error }, { on: 'token', times: 1 })
      figures.faults++
      await api.post('/api/auth/session').then(seen(`echoing refresh, status ${status}`))
    }
    expect(api.jar.has(SESSION_COOKIE)).toBe(false)

    // A relay with the wrong secret: invalid_client, and neither secret shows.
    const wrong = await stack.addRelay({ clientSecret: OTHER_SECRET })
    later()
    const fourth = await login()
    await api
      .post('/api/auth/token', fourth.body, { base: wrong })
      .then(seen('exchange with a wrong secret'))
    await api.post('/api/auth/logout').then(seen('logout'))

    expect(stack.emulator.faults.active).toEqual([]) // every fault met a request
    for (const line of stack.logs) hunter.log('relay log', line)
    for (const spy of printed) spy.mockRestore()
    expect(stack.logs.some((line) => line.level === 'error')).toBe(true) // error paths were taken
    const leaks = hunter.hunt()
    expect(leaks).toEqual([])
    expect(hunter.counts.secrets).toBeGreaterThan(10)
  }, 30_000)

  test('errors whose cause carries a URL, a body or odd names log only their kind', async ({
    task,
  }) => {
    const figures = figuresFor(task)
    const hunter = createLeakHunter(figures)
    hunter.secret('client secret', CANARY_SECRET)
    const lines: unknown[] = []
    const leakyFailures: (() => Promise<Response>)[] = [
      async () => {
        throw Object.assign(
          new TypeError(`fetch failed for https://x/?client_secret=${CANARY_SECRET}`),
          {
            cause: Object.assign(new Error(`body: client_secret=${CANARY_SECRET}`), {
              code: CANARY_SECRET,
            }),
          },
        )
      },
      async () => {
        const error = new Error('socket hang up')
        error.name = `Leaky ${CANARY_SECRET}`
        throw error
      },
      async () => {
        const a = new Error(CANARY_SECRET)
        const b = new Error(CANARY_SECRET, { cause: a })
        a.cause = b // a cycle
        throw a
      },
      async () => new Response(`<html>client_secret=${CANARY_SECRET}</html>`, { status: 200 }),
      async () => new Response(`upstream says ${CANARY_SECRET}`, { status: 503 }),
    ]
    for (const [index, failure] of leakyFailures.entries()) {
      const app = createRelay(testConfig({ clientSecret: CANARY_SECRET }), {
        fetch: failure,
        log: (line) => lines.push(line),
      })
      const login = await app.request(`${APP}/api/auth/refresh`, pagePost(APP))
      await hunter.response(`failure ${index}`, login)
      figures.faults++
    }
    // Without a session the refresh stops before Withings: exchange a code instead.
    for (const [index, failure] of leakyFailures.entries()) {
      const app = createRelay(testConfig({ clientSecret: CANARY_SECRET }), {
        fetch: failure,
        log: (line) => lines.push(line),
      })
      const state = 's'.repeat(43)
      const bound = await app.request(`${APP}/api/auth/login`, pagePost(APP, { state }))
      const cookie = bound.headers.getSetCookie()[0]?.split(';')[0] ?? ''
      const answer = await app.request(
        `${APP}/api/auth/token`,
        pagePost(APP, { state, code: 'c'.repeat(40) }, { cookie }),
      )
      await hunter.response(`exchange failure ${index}`, answer)
      // A transport failure, however odd its error, is never the relay's own failure.
      const { code } = (await answer.json()).error
      if (code === 'internal_error') figures.crashes++
      expect(code).toBe('upstream_unavailable')
    }
    for (const line of lines) hunter.log('relay log', line)
    expect(lines.some((line) => (line as { level: string }).level === 'error')).toBe(true)
    expect(hunter.hunt()).toEqual([])
    expect(figures.crashes).toBe(0)
  })
})
