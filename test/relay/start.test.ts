import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, test } from 'vitest'

// `npm start`'s entry, run as users run it: a separate process, configured by its environment.

const root = fileURLToPath(new URL('../..', import.meta.url))
const running: ChildProcess[] = []
afterEach(() => {
  for (const child of running.splice(0)) child.kill('SIGKILL')
})

const REAL = {
  WITHINGS_CLIENT_ID: 'real-client-id',
  WITHINGS_CLIENT_SECRET: 'canary-client-secret-4f7a',
  WITHINGS_REDIRECT_URI: 'https://app.example.com/callback',
  RELAY_SECRET: 'r'.repeat(40),
}

function start(env: Record<string, string>) {
  // A scratch working directory: no developer's .env or dist/ leaks into the test.
  const cwd = mkdtempSync(join(tmpdir(), 'wl-start-'))
  const child = spawn(join(root, 'node_modules/.bin/tsx'), [join(root, 'relay/start.ts')], {
    cwd,
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
  })
  running.push(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk) => {
    stdout += chunk
  })
  child.stderr.on('data', (chunk) => {
    stderr += chunk
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
  const url = async () => {
    for (let i = 0; i < 200 && !/running: (\S+)/.test(stdout); i++) {
      if (child.exitCode !== null) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const match = /running: (\S+)/.exec(stdout)
    if (!match?.[1]) throw new Error(`no URL printed.\nstdout: ${stdout}\nstderr: ${stderr}`)
    return match[1]
  }
  return { child, exited, url, output: () => ({ stdout, stderr }) }
}

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
    const app = start(REAL)
    const url = await app.url()
    expect(await (await fetch(`${url}/api/config`)).json()).toEqual({
      client_id: 'real-client-id',
      redirect_uri: 'https://app.example.com/callback',
      authorize_url: 'https://account.withings.com/oauth2_user/authorize2',
      emulator: false,
    })
    expect(app.output().stdout).not.toMatch(/emulator/i)
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

  test('an invalid PORT is refused in one sentence', async () => {
    const app = start({ ...REAL, PORT: 'eighty' })
    expect(await app.exited).toBe(1)
    expect(app.output().stderr).toContain(
      'PORT must be a whole number from 0 to 65535 (got "eighty").',
    )
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
    const app = start({ ...REAL, WITHINGS_REDIRECT_URI: 'http://192.168.1.20:8080/callback' })
    await app.url()
    expect(app.output().stderr).toMatch(/warning: .*breaks Withings' callback rules.*tunnel/)
  }, 30_000)
})
