import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createApiClient } from '../support/api-client'
import { freePort } from '../support/free-port'
import { startLogin } from '../support/login'
import { type RecipeNginx, startRecipeNginx } from '../support/nginx'
import { type Stack, startStack } from '../support/stack'

// deploy/nginx.conf in front of the real relay and the real emulator: a sign-in's callback with
// its code and state, and Withings' notification POSTs, go through it; its logs then hold none of
// the secrets those carry (the code, the state, the callback token), while still saying what was
// asked and how it went.

const PROXY_SECRET = 'nginx-recipe-proxy-secret-4f1a'
const DEMO = 363

let nginx: RecipeNginx | undefined
let stack: Stack | undefined
let root: string
let siteUrl: string

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'wl-nginx-root-'))
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>withings-link</title>')
  // The site's address must be known before the relay's config: it is the redirect URI's origin,
  // and so where Withings is told to send notifications.
  const port = await freePort()
  siteUrl = `http://127.0.0.1:${port}`
  stack = await startStack({
    relay: {
      redirectUri: `${siteUrl}/callback`,
      trustProxyHops: 1,
      proxySecret: PROXY_SECRET,
    },
    extraCallbacks: [`${siteUrl}/callback`],
  })
  nginx = await startRecipeNginx({
    port,
    relayUrl: stack.appUrl.replace('localhost', '127.0.0.1'),
    root,
    proxySecret: PROXY_SECRET,
  })
}, 30_000)

afterAll(async () => {
  await stack?.close()
  await nginx?.stop()
  rmSync(root, { recursive: true, force: true })
})

describe('deploy/nginx.conf', () => {
  test('a sign-in and Withings’ notifications through it: its logs hold no code, state or callback token', async () => {
    if (!stack || !nginx) throw new Error('not started')
    const api = createApiClient(siteUrl)
    const { callback, code, state, body } = await startLogin(stack, api, {
      scopes: ['user.sleepevents'],
    })
    expect(callback.origin).toBe(siteUrl)
    // The browser lands on /callback?code=…&state=…: nginx serves the SPA's shell.
    const landed = await fetch(callback)
    expect(landed.status).toBe(200)
    expect(landed.headers.get('referrer-policy')).toBe('no-referrer')
    // The page posts the code to the relay, through nginx.
    expect((await api.post('/api/auth/token', body)).status).toBe(200)
    await stack.settled()

    // The relay subscribed the site's callback; Withings checked it (HEAD) through nginx.
    const subscribed = stack.emulator.notifications.subscriptions.filter((s) => s.userid === DEMO)
    expect(subscribed.map((s) => s.appli)).toEqual([50, 51, 52])
    const hook = subscribed[0]?.callbackurl ?? ''
    expect(hook.startsWith(`${siteUrl}/api/hooks/withings/`)).toBe(true)
    const token = hook.slice(hook.lastIndexOf('/') + 1)

    // A bed-in: Withings POSTs to the hook, through nginx, and it is delivered.
    const triggered = await stack.emulator.notifications.trigger({ type: 'bed_in', userid: DEMO })
    expect(triggered.deliveries[0]?.attempts[0]).toMatchObject({
      outcome: 'delivered',
      httpStatus: 200,
    })
    // The callback's former path goes through it too.
    const former = hook.replace('/api/hooks/withings/', '/api/notify/callback/')
    const legacy = await fetch(former, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ userid: String(DEMO), appli: '51', date: '1700000000' }),
    })
    expect(legacy.status).toBe(200)

    const log = nginx.accessLog()
    // It says what was asked and how it went …
    expect(log).toMatch(/"GET \/callback HTTP\/1\.1" 200 /)
    expect(log).toMatch(/"POST \/api\/auth\/token HTTP\/1\.1" 200 /)
    expect(log).toMatch(/"HEAD \/api\/hooks\/:token HTTP\/1\.1" 200 /)
    expect(log).toMatch(/"POST \/api\/hooks\/:token HTTP\/1\.1" 200 /)
    expect(log).toMatch(/"POST \/api\/notify\/callback\/:token HTTP\/1\.1" 200 /)
    // … and holds none of the secrets.
    for (const secret of [code, state, token]) {
      expect(secret.length).toBeGreaterThan(10)
      expect(log).not.toContain(secret)
      expect(nginx.errorLog()).not.toContain(secret)
      // The http-level default log (Debian's) is replaced, not added to.
      expect(nginx.defaultAccessLog()).not.toContain(secret)
    }
    expect(log).not.toContain('?')
    expect(nginx.defaultAccessLog()).toBe('')
  })

  test('when the relay cannot be reached, the error log does not write the callback’s token', async () => {
    if (!stack || !nginx) throw new Error('not started')
    const hook = stack.emulator.notifications.subscriptions[0]?.callbackurl ?? ''
    const token = hook.slice(hook.lastIndexOf('/') + 1)
    await stack.close()
    stack = undefined
    const answer = await fetch(`${hook}?code=not-logged-either`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ userid: String(DEMO), appli: '50', date: '1700000000' }),
    })
    expect(answer.status).toBe(502)
    // The same failure elsewhere under /api/ is logged, request line and all.
    expect((await fetch(`${siteUrl}/api/healthz`)).status).toBe(502)
    expect(nginx.errorLog()).toContain('/api/healthz')
    expect(nginx.errorLog()).not.toContain(token)
    expect(nginx.accessLog()).toMatch(/"POST \/api\/hooks\/:token HTTP\/1\.1" 502 /)
    expect(nginx.accessLog()).not.toContain('not-logged-either')
  })
})
