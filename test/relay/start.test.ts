import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import type { PublicConfig } from '../../relay/contract/wire-contract'
import { createApiClient } from '../support/api-client'
import { killEntries, ROOT, runStart } from '../support/entry-process'
import { freePort } from '../support/free-port'
import { startLoginAt } from '../support/login'
import { testKey } from '../support/relay-config'

// `npm start`'s entry, run as users run it: a separate process, configured by its environment.

afterEach(killEntries)

const REAL = {
  WITHINGS_CLIENT_ID: 'real-client-id',
  WITHINGS_CLIENT_SECRET: 'canary-client-secret-4f7a',
  WITHINGS_REDIRECT_URI: 'https://app.example.com/callback',
  RELAY_SECRET: testKey('r'),
}

// The cookie-only kit unless a test says otherwise: a start with sync opens its embedded
// database first (seconds), which the tests of other settings need not wait for.
const start = (env: Record<string, string>, files?: Record<string, string>) =>
  runStart({ env: { SYNC: 'off', ...env }, ...(files && { files }) })

describe('npm start', () => {
  test('with no credentials: one URL, the emulator behind it, and a clean stop on SIGTERM', async () => {
    const app = start({})
    const url = await app.url()
    expect(url).toMatch(/^http:\/\/localhost:\d+$/)
    expect(app.output().stdout.match(/https?:\/\//g)).toHaveLength(1)
    const config = await (await fetch(`${url}/api/config`)).json()
    expect(config).toMatchObject({ emulator: true, redirect_uri: `${url}/callback` })
    expect(config.authorize_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth2_user\/authorize2$/)
    const consent = await fetch(
      `${config.authorize_url}?response_type=code&client_id=${config.client_id}&scope=user.metrics&redirect_uri=${encodeURIComponent(config.redirect_uri)}&state=abc&mode=demo`,
    )
    expect(consent.status).toBe(200)
    app.child.kill('SIGTERM')
    expect(await app.exited).toBe(0)
  }, 30_000)

  test('with real credentials: no emulator, Withings endpoints, and the secret in no output', async () => {
    const app = start({ ...REAL, SYNC: 'on', DATABASE_URL: '' })
    const url = await app.url()
    expect(await (await fetch(`${url}/api/config`)).json()).toEqual({
      client_id: 'real-client-id',
      redirect_uri: 'https://app.example.com/callback',
      authorize_url: 'https://account.withings.com/oauth2_user/authorize2',
      emulator: false,
      sync: true,
    })
    expect(app.output().stdout).not.toMatch(/emulator/i)
    expect(app.output().stdout).toContain(
      "People's Withings data is kept in .data/postgres (embedded Postgres",
    )
    // A deployment gives its own key: none is generated.
    expect(app.output().stdout).not.toContain('RELAY_SECRET is not set')
    // The relay only trusts the redirect URI's origin: that is the address to open.
    expect(app.output().stdout).toContain('Open the app at https://app.example.com (the origin')
    expect(JSON.stringify(app.output())).not.toContain('canary-client-secret')
  }, 30_000)

  test('WITHINGS_AUTHORIZE_URL and WITHINGS_API_URL override the endpoints', async () => {
    const app = start({
      ...REAL,
      WITHINGS_AUTHORIZE_URL: 'https://account.example.test/oauth2_user/authorize2',
      WITHINGS_API_URL: 'https://api.example.test',
    })
    const config = await (await fetch(`${await app.url()}/api/config`)).json()
    expect(config.authorize_url).toBe('https://account.example.test/oauth2_user/authorize2')
  }, 30_000)

  test('missing or invalid configuration: one line per problem, exit 1, no stack trace', async () => {
    const app = start({ WITHINGS_CLIENT_ID: 'only-the-id', WITHINGS_REDIRECT_URI: 'nope' })
    expect(await app.exited).toBe(1)
    const { stderr } = app.output()
    expect(stderr).toContain('- WITHINGS_CLIENT_SECRET is missing.')
    expect(stderr).toContain('- WITHINGS_REDIRECT_URI must be an absolute http(s) URL')
    expect(stderr).toContain('- RELAY_SECRET is missing')
    expect(stderr).not.toMatch(/^\s+at /m)
  }, 30_000)

  test('.env fills in what the environment leaves unset, and the real environment wins', async () => {
    const dotenv = [
      'WITHINGS_CLIENT_ID=client-id-from-dotenv',
      'WITHINGS_CLIENT_SECRET=secret-from-dotenv',
      'WITHINGS_REDIRECT_URI=https://dotenv.example.com/callback',
      `RELAY_SECRET=${testKey('d')}`,
    ].join('\n')
    const app = start({ WITHINGS_CLIENT_ID: 'client-id-from-the-environment' }, { '.env': dotenv })
    expect(await (await fetch(`${await app.url()}/api/config`)).json()).toMatchObject({
      client_id: 'client-id-from-the-environment',
      redirect_uri: 'https://dotenv.example.com/callback',
      emulator: false,
    })
  }, 30_000)

  test('.env.example copied to .env as it is: the emulator demo, on this URL', async () => {
    const app = start({}, { '.env': readFileSync(join(ROOT, '.env.example'), 'utf8') })
    const url = await app.url()
    expect(await (await fetch(`${url}/api/config`)).json()).toMatchObject({
      emulator: true,
      redirect_uri: `${url}/callback`,
    })
  }, 30_000)

  test('an invalid PORT is refused in one sentence', async () => {
    const app = start({ ...REAL, PORT: 'eighty' })
    expect(await app.exited).toBe(1)
    expect(app.output().stderr).toContain(
      'PORT must be a whole number from 0 to 65535 (got "eighty").',
    )
  }, 30_000)

  test("the emulator's settings: each bad value in one sentence, exit 1, no stack trace", async () => {
    const app = start({ EMULATOR_PORT: 'abc', EMULATOR_TOKEN_TTL_SECONDS: 'banana' })
    expect(await app.exited).toBe(1)
    const { stderr } = app.output()
    expect(stderr.trim().split('\n')).toEqual([
      'withings-link cannot start:',
      expect.stringMatching(
        /^- EMULATOR_PORT must be a whole number from 0 to 65535, .*\(got "abc"\)\.$/,
      ),
      expect.stringMatching(
        /^- EMULATOR_TOKEN_TTL_SECONDS must be a whole number from 1 to 604800, .*\(got "banana"\)\.$/,
      ),
    ])
  }, 30_000)

  test("the emulator's settings reach it: its port, and its tokens' life", async () => {
    const port = await freePort()
    const app = start({ EMULATOR_PORT: String(port), EMULATOR_TOKEN_TTL_SECONDS: '60' })
    const url = await app.url()
    const config: PublicConfig = await (await fetch(`${url}/api/config`)).json()
    expect(new URL(config.authorize_url).port).toBe(String(port))
    const api = createApiClient(url)
    const login = await startLoginAt(api, config)
    const session = await api.post('/api/auth/token', login.body)
    expect(session.status).toBe(200)
    const { expires_at } = await session.json()
    expect(expires_at - Date.now() / 1000).toBeGreaterThan(50)
    expect(expires_at - Date.now() / 1000).toBeLessThanOrEqual(60)
  }, 30_000)

  test('a busy EMULATOR_PORT is explained, not thrown', async () => {
    const blocker = createServer().listen(0, '127.0.0.1')
    await new Promise((resolve) => blocker.once('listening', resolve))
    const port = (blocker.address() as { port: number }).port
    const app = start({ EMULATOR_PORT: String(port) })
    expect(await app.exited).toBe(1)
    expect(app.output().stderr).toContain(`EMULATOR_PORT ${port} is already in use`)
    expect(app.output().stderr).not.toMatch(/^\s+at /m)
    blocker.close()
  }, 30_000)

  test('a busy PORT is explained, not thrown', async () => {
    const blocker = createServer().listen(0, '0.0.0.0')
    await new Promise((resolve) => blocker.once('listening', resolve))
    const port = (blocker.address() as { port: number }).port
    const app = start({ ...REAL, PORT: String(port) })
    expect(await app.exited).toBe(1)
    expect(app.output().stderr).toContain(`PORT ${port} is already in use`)
    blocker.close()
  }, 30_000)

  test("a redirect URI that breaks Withings' callback rules earns a warning, not a refusal", async () => {
    const app = start({ ...REAL, WITHINGS_REDIRECT_URI: 'https://192.168.1.20:8080/callback' })
    await app.url()
    expect(app.output().stderr).toMatch(
      /warning: .*breaks Withings' rules for a public app's callback URLs: .*restricted mode.*https tunnel/,
    )
  }, 30_000)
})
