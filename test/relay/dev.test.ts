import { get } from 'node:http'
import { afterEach, describe, expect, test } from 'vitest'
import type { PublicConfig } from '../../relay/contract/wire-contract'
import { createApiClient } from '../support/api-client'
import { killEntries, runDev } from '../support/entry-process'
import { startLoginAt } from '../support/login'
import { testKey } from '../support/relay-config'

// `npm run dev` as a developer runs it: one process, one URL, everything behind it.

afterEach(killEntries)

describe('npm run dev', () => {
  test('one URL: the SPA from Vite, the relay at /api, the emulator, callback on the same URL', async () => {
    const dev = runDev()
    const url = await dev.url()
    expect(url).toMatch(/^http:\/\/localhost:\d+$/)
    expect(dev.output().stdout.match(/https?:\/\//g)).toHaveLength(1)

    const page = await (await fetch(url)).text()
    expect(page).toContain('/@vite/client') // Vite's dev server, with hot reload
    expect(page).toContain('src="/web/app/main.tsx"')
    // What the page needs is served; the rest of the project tree is not, even behind a tunnel.
    expect((await fetch(`${url}/web/app/main.tsx`)).status).toBe(200)
    for (const path of [
      '/relay/core/config.ts',
      '/package.json',
      '/test/support/stack.ts',
      '/README.md',
    ]) {
      expect((await fetch(`${url}${path}`)).status, path).toBe(403)
    }

    expect(await (await fetch(`${url}/api/healthz`)).json()).toEqual({ ok: true })
    const config: PublicConfig = await (await fetch(`${url}/api/config`)).json()
    expect(config).toMatchObject({ emulator: true, redirect_uri: `${url}/callback` })

    const api = createApiClient(url)
    const login = await startLoginAt(api, config)
    expect(login.callback.origin + login.callback.pathname).toBe(`${url}/callback`)
    const tokens = await api.post('/api/auth/token', login.body)
    expect(tokens.status).toBe(200)
    expect(await tokens.json()).toMatchObject({ userid: '363' })

    // Vite's own SIGTERM handler closes the dev server and exits with 128 + 15.
    dev.child.kill('SIGTERM')
    expect(await dev.exited).toBe(143)
  }, 60_000)

  test("the same settings as npm start's: each bad value in one sentence, exit 1, no stack", async () => {
    const dev = runDev({
      env: { HOST: 'http://localhost', EMULATOR_PORT: 'abc', EMULATOR_TOKEN_TTL_SECONDS: 'banana' },
    })
    expect(await dev.exited).toBe(1)
    const { stderr } = dev.output()
    expect(stderr).toContain('- HOST must be an address or a host name to listen on')
    expect(stderr).toContain('- EMULATOR_PORT must be a whole number from 0 to 65535')
    expect(stderr).toContain('- EMULATOR_TOKEN_TTL_SECONDS must be a whole number from 1 to 604800')
    expect(stderr).not.toMatch(/^\s+at /m)
  }, 30_000)

  test("with real Withings: the URL to open is the redirect URI's, whose host the server accepts", async () => {
    const dev = runDev({
      env: {
        WITHINGS_CLIENT_ID: 'real-client-id',
        WITHINGS_CLIENT_SECRET: 'real-client-secret',
        WITHINGS_REDIRECT_URI: 'https://dev-tunnel.example.com/callback',
        RELAY_SECRET: testKey('r'),
      },
    })
    expect(await dev.url()).toBe('https://dev-tunnel.example.com')
    const port = (await dev.waitFor(/listens on port (\d+)/))[1]
    const viaTunnel = (host: string) =>
      new Promise<number | undefined>((resolve, reject) => {
        get({ host: '127.0.0.1', port, path: '/', headers: { host } }, (response) => {
          response.resume()
          resolve(response.statusCode)
        }).on('error', reject)
      })
    expect(await viaTunnel('dev-tunnel.example.com')).toBe(200)
    expect(await viaTunnel('elsewhere.example.com')).toBe(403) // Vite's DNS-rebinding guard
  }, 60_000)
})
