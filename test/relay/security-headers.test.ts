import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { createRelay } from '../../relay/app'
import { createAppServer } from '../../relay/node/app-server'
import { testConfig } from '../support/relay-config'

const relay = createRelay(testConfig(), { log: () => {} })

function spaRoot() {
  const root = mkdtempSync(join(tmpdir(), 'wl-spa-'))
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>app</title>')
  return root
}

const csp = (response: Response) => response.headers.get('content-security-policy') ?? ''

describe('secure headers', () => {
  test.each([
    ['/', 200],
    ['/callback?code=abc&state=def', 200],
    ['/assets/missing.js', 404],
  ])('the SPA at %s: strict CSP, no framing, no referrer, nosniff', async (path, status) => {
    const server = createAppServer({ relay, staticRoot: spaRoot() })
    const answer = await server.request(`http://localhost:3000${path}`)
    expect(answer.status).toBe(status)
    expect(csp(answer)).toContain("script-src 'self'")
    expect(csp(answer)).not.toContain('unsafe-inline')
    expect(csp(answer)).toContain("frame-ancestors 'none'")
    expect(csp(answer)).toContain("connect-src 'self'")
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer')
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff')
    expect(answer.headers.get('x-frame-options')).toBe('DENY')
    expect(answer.headers.get('strict-transport-security')).toBeNull()
  })

  test('a relay on another origin joins the SPA connect-src', async () => {
    const server = createAppServer({
      relay,
      staticRoot: spaRoot(),
      connectOrigins: ['https://relay.example.com'],
    })
    const answer = await server.request('http://localhost:3000/')
    expect(csp(answer)).toContain("connect-src 'self' https://relay.example.com")
  })

  test('the relay alone (createRelay) sends them too, with a CSP that allows nothing', async () => {
    for (const path of ['/api/healthz', '/api/nope']) {
      const answer = await relay.request(`http://localhost:3000${path}`)
      expect(csp(answer)).toBe(
        "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      )
      expect(answer.headers.get('referrer-policy')).toBe('no-referrer')
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff')
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
    expect(direct.headers.get('strict-transport-security')).toMatch(/max-age=31536000/)
    const proxied = await relay.request('http://app.example.com/api/healthz', {
      headers: { 'x-forwarded-proto': 'https' },
    })
    expect(proxied.headers.get('strict-transport-security')).toMatch(/max-age=31536000/)
    const plain = await relay.request('http://app.example.com/api/healthz')
    expect(plain.headers.get('strict-transport-security')).toBeNull()
  })
})
