import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { createRelay } from '../../relay/core/create-relay'
import { createAppServer } from '../../relay/server/app-server'
import { testConfig } from '../support/relay-config'

const relay = createRelay(testConfig(), { log: () => {} })

function spaRoot() {
  const root = mkdtempSync(join(tmpdir(), 'wl-spa-'))
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>app</title>')
  return root
}

const csp = (response: Response) => response.headers.get('content-security-policy') ?? ''
const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
const HSTS = 'max-age=31536000; includeSubDomains'

describe('secure headers', () => {
  test.each([
    ['/', 200],
    ['/callback?code=abc&state=def', 200],
    ['/assets/missing.js', 404],
  ])('the SPA at %s: strict CSP, no framing, no referrer, nosniff', async (path, status) => {
    const server = createAppServer({ relay, staticRoot: spaRoot() })
    const answer = await server.request(`http://localhost:3000${path}`)
    expect(answer.status).toBe(status)
    // Its own scripts, styles and fetches only (no inline script), images also as data: URLs,
    // no plugins, no <base> and no framing.
    expect(csp(answer)).toBe(PAGE_CSP)
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer')
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff')
    expect(answer.headers.get('x-frame-options')).toBe('DENY')
    expect(answer.headers.get('cross-origin-opener-policy')).toBe('same-origin')
    expect(answer.headers.get('cross-origin-resource-policy')).toBe('same-origin')
    expect(answer.headers.get('strict-transport-security')).toBeNull()
  })

  test('a relay on another origin joins the SPA connect-src', async () => {
    const server = createAppServer({
      relay,
      staticRoot: spaRoot(),
      connectOrigins: ['https://relay.example.com'],
    })
    const answer = await server.request('http://localhost:3000/')
    expect(csp(answer)).toBe(
      PAGE_CSP.replace("connect-src 'self'", "connect-src 'self' https://relay.example.com"),
    )
  })

  test('the relay alone (createRelay) sends them too, with a CSP that allows nothing', async () => {
    for (const path of ['/api/healthz', '/api/nope']) {
      const answer = await relay.request(`http://localhost:3000${path}`)
      expect(csp(answer)).toBe(
        "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      )
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer')
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff')
      expect(answer.headers.get('x-frame-options')).toBe('DENY')
      expect(answer.headers.get('cross-origin-resource-policy')).toBe('same-origin')
      // Token answers must never be cached (RFC 6749 §5.1), and nothing else under /api is.
      expect(answer.headers.get('cache-control')).toBe('no-store')
    }
  })

  test('behind createAppServer the relay keeps its own CSP, not the pages one', async () => {
    const server = createAppServer({ relay, staticRoot: spaRoot() })
    const answer = await server.request('http://localhost:3000/api/healthz')
    expect(csp(answer)).toMatch(/^default-src 'none'/)
  })

  test('HSTS only over https (directly or as the proxy reports it)', async () => {
    const server = createAppServer({ relay, staticRoot: spaRoot() })
    const direct = await server.request('https://app.example.com/')
    expect(direct.headers.get('strict-transport-security')).toBe(HSTS)
    const proxied = await relay.request('http://app.example.com/api/healthz', {
      headers: { 'x-forwarded-proto': 'https' },
    })
    expect(proxied.headers.get('strict-transport-security')).toBe(HSTS)
    const plain = await relay.request('http://app.example.com/api/healthz')
    expect(plain.headers.get('strict-transport-security')).toBeNull()
  })
})
