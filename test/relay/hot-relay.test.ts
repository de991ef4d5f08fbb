import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, type ViteDevServer } from 'vite'
import { afterEach, describe, expect, test } from 'vitest'
import { parseConfig } from '../../relay/config'
import { hotRelay } from '../../relay/node/hot-relay'
import { CLIENT_ID, CLIENT_SECRET, RELAY_KEY } from '../support/stack'

// The dev server's relay restarts from fresh code when its files change. Shown on a stand-in
// relay module in a scratch project, so that the test never edits the real source tree.

let vite: ViteDevServer | undefined
afterEach(() => vite?.close())

const parsed = parseConfig(
  {
    WITHINGS_CLIENT_ID: CLIENT_ID,
    WITHINGS_CLIENT_SECRET: CLIENT_SECRET,
    WITHINGS_REDIRECT_URI: 'http://localhost:5173/callback',
    RELAY_SECRET: RELAY_KEY,
  },
  { emulator: true },
)
if (!parsed.ok) throw new Error(parsed.problems.join(' '))
const CONFIG = parsed.config

/** A relay module whose answers say which version of its code is running. */
const relayModule = (version: string) => `
export function createRelay(config) {
  return { fetch: (request) => Response.json({ version: '${version}', path: new URL(request.url).pathname, clientId: config.clientId }) }
}
`

async function startDevServer() {
  const root = mkdtempSync(join(tmpdir(), 'wl-hot-relay-'))
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>spa</title>')
  writeFileSync(join(root, 'relay.ts'), relayModule('one'))
  const relay = hotRelay('/relay.ts')
  vite = await createServer({
    root,
    configFile: false,
    logLevel: 'silent',
    plugins: [relay.plugin],
    server: { port: 0, host: '127.0.0.1' },
  })
  await vite.listen()
  const url = vite.resolvedUrls?.local[0]?.replace(/\/$/, '') ?? ''
  return { root, relay, url, get: (path: string) => fetch(`${url}${path}`) }
}

/** Polls the relay until `check` accepts its JSON answer, for at most five seconds. */
async function eventually(get: () => Promise<Response>, check: (body: unknown) => boolean) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const body = await (await get()).json()
    if (check(body)) return body
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error('the relay never served the new code')
}

describe('hotRelay', () => {
  test('answers 503 until started, then serves /api (and only /api) from the relay module', async () => {
    const dev = await startDevServer()
    expect((await dev.get('/api/healthz')).status).toBe(503)
    dev.relay.start(CONFIG)
    expect(await (await dev.get('/api/healthz')).json()).toEqual({
      version: 'one',
      path: '/api/healthz',
      clientId: CLIENT_ID,
    })
    expect(await (await dev.get('/')).text()).toContain('<title>spa</title>')
    expect(await (await dev.get('/apiary')).text()).toContain('<title>spa</title>')
  })

  test('an edit to the relay code restarts the relay with it, keeping its configuration', async () => {
    const dev = await startDevServer()
    dev.relay.start(CONFIG)
    expect(await (await dev.get('/api/healthz')).json()).toMatchObject({ version: 'one' })
    writeFileSync(join(dev.root, 'relay.ts'), relayModule('two'))
    const body = await eventually(
      () => dev.get('/api/healthz'),
      (answer) => (answer as { version: string }).version === 'two',
    )
    expect(body).toMatchObject({ clientId: CLIENT_ID })
  })

  test('code that does not load: a JSON internal_error, then the fixed code serves again', async () => {
    const dev = await startDevServer()
    dev.relay.start(CONFIG)
    await dev.get('/api/healthz')
    writeFileSync(join(dev.root, 'relay.ts'), 'export function createRelay( {')
    const broken = await eventually(
      () => dev.get('/api/healthz'),
      (answer) => (answer as { error?: unknown }).error !== undefined,
    )
    expect(broken).toMatchObject({ error: { code: 'internal_error' } })
    writeFileSync(join(dev.root, 'relay.ts'), relayModule('three'))
    await eventually(
      () => dev.get('/api/healthz'),
      (answer) => (answer as { version: string }).version === 'three',
    )
  })
})
