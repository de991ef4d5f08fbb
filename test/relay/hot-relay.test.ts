import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createServer, type ViteDevServer } from 'vite'
import { afterEach, describe, expect, test } from 'vitest'
import { hotRelay } from '../../relay/server/hot-relay'
import { testConfig } from '../support/relay-config'

// The dev server's relay restarts from fresh code when its files change. Shown on a stand-in
// relay module in a scratch project, so that the test never edits the real source tree.

let vite: ViteDevServer | undefined
afterEach(() => vite?.close())

const CLIENT_ID = 'hot-relay-client'
const CONFIG = testConfig({ clientId: CLIENT_ID })

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
    await dev.relay.start(CONFIG)
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
    await dev.relay.start(CONFIG)
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
    await dev.relay.start(CONFIG)
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
