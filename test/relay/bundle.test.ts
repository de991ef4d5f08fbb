import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { isBuiltin } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, beforeAll, describe, expect, test } from 'vitest'
import type { PublicConfig } from '../../relay/contract/wire-contract'
import { createApiClient } from '../support/api-client'
import { killEntries, ROOT, runEntry } from '../support/entry-process'
import { startLoginAt } from '../support/login'

// What `npm run build` ships, run as a production host runs it: plain `node`, in a directory
// holding only the relay bundle and the SPA, with no node_modules and no TypeScript tooling.

const run = promisify(execFile)
const app = join(mkdtempSync(join(tmpdir(), 'wl-bundle-')), 'app')
const bundleDir = join(app, 'build/relay')

afterEach(killEntries)

beforeAll(async () => {
  const vite = join(ROOT, 'node_modules/.bin/vite')
  const quiet = ['--logLevel', 'warn', '--emptyOutDir']
  await run(vite, ['build', '--mode', 'relay', '--outDir', bundleDir, ...quiet], { cwd: ROOT })
  await run(vite, ['build', '--outDir', join(app, 'dist'), ...quiet], { cwd: ROOT })
}, 120_000)

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
}

describe('the production build', () => {
  test('nothing but the bundle and dist/, and no node_modules anywhere above them', () => {
    expect(readdirSync(app).sort()).toEqual(['build', 'dist'])
    for (let dir = app; dir !== dirname(dir); dir = dirname(dir)) {
      expect(existsSync(join(dir, 'node_modules')), `${dir}/node_modules`).toBe(false)
    }
  })

  test('every file of the bundle is an .mjs (an ES module whatever package.json sits nearby), or the embedded Postgres engine beside the chunk that loads it', () => {
    expect(
      files(bundleDir)
        .filter((file) => !file.endsWith('.mjs'))
        .map((file) => file.slice(bundleDir.length + 1))
        .sort(),
    ).toEqual(['assets/initdb.wasm', 'assets/pglite.data', 'assets/pglite.wasm'])
  })

  test('the bundle imports only Node built-ins and its own chunks', () => {
    // Import statements and dynamic imports, not the `from 'hono'` of bundled doc comments.
    const importPattern =
      /^\s*(?:import|export)\b[^"'\n]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']|^(?!\s*(?:\*|\/\/)).*?\bimport\(\s*["']([^"']+)["']\s*\)/gm
    const specifiers = files(bundleDir).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(importPattern)].map(
        (match) => match[1] ?? match[2] ?? match[3] ?? '',
      ),
    )
    expect(specifiers.length).toBeGreaterThan(0)
    expect(specifiers.filter((name) => !name.startsWith('.') && !isBuiltin(name))).toEqual([])
  })

  test('`node build/relay/start.mjs` serves the SPA and the relay, connects, and stops cleanly', async () => {
    const server = runEntry(process.execPath, ['build/relay/start.mjs'], { cwd: app })
    const url = await server.url()

    for (const path of ['/', '/callback']) {
      const shell = await fetch(`${url}${path}`)
      expect(shell.status).toBe(200)
      expect(await shell.text()).toContain('<div id="root"></div>')
    }
    const config: PublicConfig = await (await fetch(`${url}/api/config`)).json()
    expect(config).toMatchObject({ emulator: true, redirect_uri: `${url}/callback` })

    const api = createApiClient(url)
    const login = await startLoginAt(api, config)
    const tokens = await api.post('/api/auth/token', login.body)
    expect(tokens.status).toBe(200)
    expect(await tokens.json()).toMatchObject({ userid: '363', expires_at: expect.any(Number) })
    // The embedded Postgres runs from the bundle: the import fills it.
    expect(config.sync).toBe(true)
    let status = { state: 'importing' }
    for (let tries = 0; status.state !== 'ready' && tries < 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      status = await (await api.request('/api/data/status')).json()
    }
    expect(status.state).toBe('ready')

    server.child.kill('SIGTERM')
    expect(await server.exited).toBe(0)
  }, 30_000)
})
