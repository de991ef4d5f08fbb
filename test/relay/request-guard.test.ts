import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { createRelay } from '../../relay/core/create-relay'
import { pagePost } from '../support/page-post'
import { testConfig } from '../support/relay-config'
import { type Stack, startStack } from '../support/stack'

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
  { body = { state: STATE } as unknown, headers = {} as Record<string, string | undefined> } = {},
) => app.request(`${APP}${path}`, pagePost(APP, body, headers))

describe('what the relay refuses before anything goes upstream', () => {
  const FOREIGN = 'This origin may not call the relay.'
  const NO_HEADER = 'Requests to the relay must carry the header X-Withings-Link: 1.'
  test.each([
    ['no Origin', { origin: undefined }, FOREIGN],
    ['an empty Origin', { origin: '' }, FOREIGN],
    ['a foreign Origin', { origin: 'https://evil.example' }, FOREIGN],
    ['the null Origin', { origin: 'null' }, FOREIGN],
    ['no custom header', { 'x-withings-link': undefined }, NO_HEADER],
    ['an empty custom header', { 'x-withings-link': '' }, NO_HEADER],
    ['a wrong custom header', { 'x-withings-link': 'yes' }, NO_HEADER],
  ])('%s → 403 forbidden_origin', async (_, headers, message) => {
    const { app, upstream } = relayWithCountingFetch()
    const answer = await post(app, '/api/auth/token', {
      headers,
      body: { code: 'abcdefgh', state: STATE },
    })
    expect(answer.status).toBe(403)
    expect(await answer.json()).toEqual({
      error: { code: 'forbidden_origin', message, retryable: false },
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

// The same guard as a browser or a script meets it: real HTTP to the real relay (Node's server,
// which counts Content-Length and chunked bodies), the real emulator behind it. Every refusal is
// the contract's error shape with its stable code and the relay's own sentence, and nothing
// reaches Withings.
describe('what the relay refuses over HTTP, with the code and sentence it says', () => {
  let stack: Stack
  // Each test posts a few times from one address: far more than one minute's budget in all.
  beforeAll(async () => {
    stack = await startStack({ relay: { rateLimitPerMinute: 10_000 } })
  })
  afterAll(() => stack?.close())

  const send = (
    path: string,
    body: BodyInit | undefined,
    headers: Record<string, string | undefined> = {},
  ) => {
    return fetch(`${stack.appUrl}${path}`, {
      ...pagePost(stack.appUrl, undefined, headers),
      body,
      ...(body instanceof ReadableStream && { duplex: 'half' }),
    } as RequestInit)
  }
  const refusal = async (answer: Response) => ({ status: answer.status, body: await answer.json() })
  const error = (status: number, code: string, message: string) => ({
    status,
    body: { error: { code, message, retryable: false } },
  })
  /** A body without a length, in 1 KB chunks: Node's server reads it as Transfer-Encoding: chunked. */
  const chunked = (text: string) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        const bytes = new TextEncoder().encode(text)
        for (let at = 0; at < bytes.length; at += 1024) {
          controller.enqueue(bytes.subarray(at, at + 1024))
        }
        controller.close()
      },
    })
  /** `{"state": …}` padded with JSON whitespace to exactly `bytes` bytes. */
  const stateBodyOf = (bytes: number) => {
    const body = JSON.stringify({ state: STATE })
    return body + ' '.repeat(bytes - body.length)
  }

  const NOT_JSON_TYPE = 'Send the body as application/json.'
  test.each([
    ['a form', 'application/x-www-form-urlencoded'],
    ['plain text', 'text/plain'],
    ['no content type at all', undefined],
    ['JSONP', 'application/jsonp'],
    ['JSON named in a parameter only', 'text/plain; profile=application/json'],
  ])('%s → 415 unsupported_media_type', async (_, type) => {
    const answer = await send('/api/auth/login', new TextEncoder().encode(stateBodyOf(60)), {
      'content-type': type,
    })
    expect(await refusal(answer)).toEqual(error(415, 'unsupported_media_type', NOT_JSON_TYPE))
  })

  test.each(['application/json; charset=utf-8', 'Application/JSON', 'application/json ;v=1'])(
    'the content type %s is JSON',
    async (type) => {
      const answer = await send('/api/auth/login', stateBodyOf(60), { 'content-type': type })
      expect(answer.status).toBe(204)
    },
  )

  const TOO_LARGE = 'The body is larger than 4096 bytes.'
  test.each([
    ['with its Content-Length', stateBodyOf],
    ['chunked', (bytes: number) => chunked(stateBodyOf(bytes))],
  ])('a body %s: 4096 bytes pass, 4097 are 413 payload_too_large', async (_, bodyOf) => {
    expect((await send('/api/auth/login', bodyOf(4096))).status).toBe(204)
    const answer = await send('/api/auth/login', bodyOf(4097))
    expect(await refusal(answer)).toEqual(error(413, 'payload_too_large', TOO_LARGE))
  })

  test.each(['/api/auth/session', '/api/auth/logout', '/api/withings/measure', '/api/notify'])(
    'every POST route, %s included, takes JSON of at most 4 KB only',
    async (path) => {
      const before = stack.emulator.requests.count()
      const form = await send(path, 'action=getmeas', {
        'content-type': 'application/x-www-form-urlencoded',
      })
      expect(await refusal(form)).toEqual(error(415, 'unsupported_media_type', NOT_JSON_TYPE))
      const big = await send(path, JSON.stringify({ action: 'getmeas', pad: 'x'.repeat(5000) }))
      expect(await refusal(big)).toEqual(error(413, 'payload_too_large', TOO_LARGE))
      expect(stack.emulator.requests.count()).toBe(before)
    },
  )

  const NOT_UTF8 = 'The body could not be read as UTF-8 text.'
  const NOT_JSON = 'The body is not valid JSON.'
  const NOT_OBJECT = 'The body must be a JSON object.'
  const BAD_STATE = "'state' must be a string of 43 to 128 base64url characters."
  const BAD_CODE = "'code' must be a string of 8 to 256 letters, digits or ._~-."
  const bytes = (...values: number[]) => new Uint8Array(values)
  const json = (value: unknown) => JSON.stringify(value)
  test.each<[string, string, BodyInit, string]>([
    ['bytes that are not UTF-8', '/api/auth/login', bytes(0x7b, 0xff, 0x7d), NOT_UTF8],
    [
      'a lone surrogate half in UTF-8',
      '/api/auth/login',
      bytes(0x22, 0xed, 0xa0, 0x80, 0x22),
      NOT_UTF8,
    ],
    ['malformed JSON', '/api/auth/login', '{"state":', NOT_JSON],
    ['an empty body', '/api/auth/login', '', NOT_JSON],
    ['an array', '/api/auth/login', '[]', NOT_OBJECT],
    ['a string', '/api/auth/login', '"state"', NOT_OBJECT],
    ['null', '/api/auth/login', 'null', NOT_OBJECT],
    ['a number', '/api/auth/login', '42', NOT_OBJECT],
    ['a data call with an array', '/api/withings/measure', '[]', NOT_OBJECT],
    [
      'an extra field',
      '/api/auth/login',
      json({ state: STATE, admin: true }),
      'Unexpected field in the body; expected only: state.',
    ],
    ['no state', '/api/auth/login', '{}', BAD_STATE],
    ['a short state', '/api/auth/login', json({ state: 'abc' }), BAD_STATE],
    ['a state 129 long', '/api/auth/login', json({ state: 's'.repeat(129) }), BAD_STATE],
    [
      'a state with a bad last character',
      '/api/auth/login',
      json({ state: `${STATE}!` }),
      BAD_STATE,
    ],
    [
      'a state with a bad first character',
      '/api/auth/login',
      json({ state: `!${STATE}` }),
      BAD_STATE,
    ],
    ['a numeric state', '/api/auth/login', json({ state: 12345 }), BAD_STATE],
    ['a state in a list', '/api/auth/login', json({ state: [STATE] }), BAD_STATE],
    [
      'a token call with an extra field',
      '/api/auth/token',
      json({ code: 'abcdefgh', state: STATE, scope: 'user.info' }),
      'Unexpected field in the body; expected only: code, state.',
    ],
    ['a missing code', '/api/auth/token', json({ state: STATE }), BAD_CODE],
    ['a code with a space', '/api/auth/token', json({ state: STATE, code: 'abc defgh' }), BAD_CODE],
    ['a code of 7', '/api/auth/token', json({ state: STATE, code: 'c'.repeat(7) }), BAD_CODE],
    ['a code of 257', '/api/auth/token', json({ state: STATE, code: 'c'.repeat(257) }), BAD_CODE],
    ['a numeric code', '/api/auth/token', json({ state: STATE, code: 12345678 }), BAD_CODE],
    [
      'a bad state with a good code',
      '/api/auth/token',
      json({ state: 'abc', code: 'abcdefgh' }),
      BAD_STATE,
    ],
  ])('%s → 400 bad_request', async (_, path, body, message) => {
    const before = stack.emulator.requests.count()
    const answer = await send(path, body)
    expect(await refusal(answer)).toEqual(error(400, 'bad_request', message))
    expect(stack.emulator.requests.count()).toBe(before)
  })
})
