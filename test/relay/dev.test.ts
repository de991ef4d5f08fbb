import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import type { PublicConfig } from '../../relay/contract'
import { createApiClient } from '../support/api-client'
import { killEntries, ROOT, runEntry, TSX } from '../support/entry-process'
import { startLoginAt } from '../support/login'

// `npm run dev` as a developer runs it: one process, one URL, everything behind it.

afterEach(killEntries)

describe('npm run dev', () => {
  test('one URL: the SPA from Vite, the relay at /api, the emulator, callback on the same URL', async () => {
    const dev = runEntry(TSX, [join(ROOT, 'relay/dev.ts')])
    const url = await dev.url()
    expect(url).toMatch(/^http:\/\/localhost:\d+$/)
    expect(dev.output().stdout.match(/https?:\/\//g)).toHaveLength(1)

    const page = await (await fetch(url)).text()
    expect(page).toContain('/@vite/client') // Vite's dev server, with hot reload
    expect(page).toContain('src="/web/main.tsx"')

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
})
