import { describe, expect, test, vi } from 'vitest'
import { createRelay } from '../../relay/app'
import { testConfig } from '../support/relay-config'

const APP = 'http://localhost:3000'
const STATE = 's'.repeat(43)

function relayWithCountingFetch(overrides = {}) {
  const upstream = vi.fn<typeof fetch>(async () => new Response('{}'))
  const app = createRelay(testConfig(overrides), { fetch: upstream, log: () => {} })
  return { app, upstream }
}

const post = (
  app: ReturnType<typeof createRelay>,
  path: string,
  { body = JSON.stringify({ state: STATE }), headers = {} as Record<string, string> } = {},
) =>
  app.request(`${APP}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: APP,
      'x-withings-link': '1',
      ...headers,
    },
    body,
  })

describe('what the relay refuses before anything goes upstream', () => {
  test.each([
    ['no Origin', { origin: '' }],
    ['a foreign Origin', { origin: 'https://evil.example' }],
    ['the null Origin', { origin: 'null' }],
    ['no custom header', { 'x-withings-link': '' }],
    ['a wrong custom header', { 'x-withings-link': 'yes' }],
  ])('%s → 403 forbidden_origin', async (_, headers) => {
    const { app, upstream } = relayWithCountingFetch()
    const answer = await post(app, '/api/auth/token', {
      headers,
      body: JSON.stringify({ code: 'abcdefgh', state: STATE }),
    })
    expect(answer.status).toBe(403)
    expect((await answer.json()).error).toMatchObject({
      code: 'forbidden_origin',
      retryable: false,
    })
    expect(upstream).not.toHaveBeenCalled()
  })

  test('an origin listed in ALLOWED_ORIGINS passes', async () => {
    const { app } = relayWithCountingFetch({ allowedOrigins: ['https://spa.example.com'] })
    const answer = await post(app, '/api/auth/login', {
      headers: { origin: 'https://spa.example.com' },
    })
    expect(answer.status).toBe(204)
  })

  test('a form post is refused: wrong content type → 415', async () => {
    const { app } = relayWithCountingFetch()
    const answer = await post(app, '/api/auth/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `state=${STATE}`,
    })
    expect(answer.status).toBe(415)
    expect((await answer.json()).error.code).toBe('unsupported_media_type')
  })

  test.each(['/api/auth/session', '/api/auth/logout', '/api/withings/measure'])(
    'every POST route, %s included, takes JSON of at most 4 KB only',
    async (path) => {
      const { app, upstream } = relayWithCountingFetch()
      const form = await post(app, path, {
        headers: { 'content-type': 'text/plain' },
        body: 'action=getmeas',
      })
      expect(form.status).toBe(415)
      const big = await post(app, path, { body: JSON.stringify({ pad: 'x'.repeat(5000) }) })
      expect(big.status).toBe(413)
      expect((await big.json()).error.code).toBe('payload_too_large')
      expect(upstream).not.toHaveBeenCalled()
    },
  )

  test('a body over 4 KB → 413, whatever Content-Length claims', async () => {
    const { app } = relayWithCountingFetch()
    const big = JSON.stringify({ state: 'x'.repeat(5000) })
    expect((await post(app, '/api/auth/login', { body: big })).status).toBe(413)
  })

  test.each([
    ['malformed JSON', '{"state":'],
    ['an array', '[]'],
    ['a string', '"state"'],
    ['a short state', JSON.stringify({ state: 'abc' })],
    ['a state with bad characters', JSON.stringify({ state: `${'s'.repeat(42)}!` })],
    ['a numeric state', JSON.stringify({ state: 12345 })],
    ['an extra field', JSON.stringify({ state: STATE, admin: true })],
  ])('%s → 400 bad_request', async (_, body) => {
    const { app } = relayWithCountingFetch()
    const answer = await post(app, '/api/auth/login', { body })
    expect(answer.status).toBe(400)
    expect((await answer.json()).error.code).toBe('bad_request')
  })

  test.each([
    ['a missing code', { state: STATE }],
    ['a code with a space', { state: STATE, code: 'abc defgh' }],
    ['a very long code', { state: STATE, code: 'c'.repeat(300) }],
  ])('token with %s → 400 before any upstream call', async (_, body) => {
    const { app, upstream } = relayWithCountingFetch()
    const answer = await post(app, '/api/auth/token', { body: JSON.stringify(body) })
    expect(answer.status).toBe(400)
    expect(upstream).not.toHaveBeenCalled()
  })

  test('unknown routes answer in the one error shape', async () => {
    const { app } = relayWithCountingFetch()
    const answer = await app.request(`${APP}/api/nope`)
    expect(answer.status).toBe(404)
    expect(await answer.json()).toEqual({
      error: { code: 'not_found', message: expect.any(String), retryable: false },
    })
  })

  test('healthz and the public config need no credentials and hold no secret', async () => {
    const { app } = relayWithCountingFetch()
    expect(await (await app.request(`${APP}/api/healthz`)).json()).toEqual({ ok: true })
    const config = await (await app.request(`${APP}/api/config`)).text()
    expect(JSON.parse(config)).toEqual({
      client_id: 'client',
      redirect_uri: 'http://localhost:3000/callback',
      authorize_url: 'http://127.0.0.1:9/oauth2_user/authorize2',
      emulator: true,
    })
    expect(config).not.toContain('secret-for-tests')
  })
})
