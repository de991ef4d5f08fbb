import { Hono } from 'hono'
import { describe, expect, test } from 'vitest'
import { createRelay } from '../../relay/core/create-relay'
import { pagePost } from '../support/page-post'
import { testConfig } from '../support/relay-config'

// The relay mounted in an app of its own (`app.route('/', relay)`, as the README's Hono recipe
// says): the relay answers /api, and leaves the app's routes, headers and 404 as they were.

const APP = 'http://localhost:3000'

function hostApp() {
  const relay = createRelay(testConfig({ redirectUri: `${APP}/callback` }), { log: () => {} })
  const app = new Hono()
  app.get('/', (c) => c.html('<h1>My app</h1>'))
  app.route('/', relay)
  app.get('/after', (c) => c.text('registered after the relay'))
  app.notFound((c) => c.text('my own 404', 404))
  return app
}

describe('the relay mounted with app.route', () => {
  test('answers its own routes, with its headers', async () => {
    const app = hostApp()
    const health = await app.request(`${APP}/api/healthz`)
    expect(await health.json()).toEqual({ ok: true })
    expect(health.headers.get('content-security-policy')).toMatch(/^default-src 'none'/)
    const login = await app.request(
      `${APP}/api/auth/login`,
      pagePost(APP, { state: 's'.repeat(43) }),
    )
    expect(login.status).toBe(204)
    expect(login.headers.getSetCookie().join()).toMatch(/^wl-login=/)
  })

  test("leaves the app's pages, before and after it, and the app's 404, untouched", async () => {
    const app = hostApp()
    for (const path of ['/', '/after', '/nowhere']) {
      const answer = await app.request(`${APP}${path}`)
      expect(answer.headers.get('content-security-policy'), path).toBeNull()
      expect(answer.headers.get('x-request-id'), path).toBeNull()
    }
    expect(await (await app.request(`${APP}/after`)).text()).toBe('registered after the relay')
    expect(await (await app.request(`${APP}/nowhere`)).text()).toBe('my own 404')
  })
})
