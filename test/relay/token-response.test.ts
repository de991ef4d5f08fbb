import { describe, expect, test } from 'vitest'
import { RelayError } from '../../relay/core/errors'
import { parseEnvelope } from '../../relay/core/withings/envelope'
import { statusFamily } from '../../relay/core/withings/status'
import { processTokenResponse } from '../../relay/core/withings/token-client'
import { RESPONSE_STATUS_ROWS } from '../fixtures/withings/status-table'

const success = {
  status: 0,
  body: {
    userid: 363,
    access_token: 'a075f8c14fb8df40b08ebc8508533dc332a6910a',
    refresh_token: 'f631236f02b991810feb774765b6ae8e6c6839ca',
    expires_in: 10800,
    scope: 'user.info,user.metrics',
    csrf_token: 'PACnnxwHTaBQOzF7bQqwFUUotIuvtzSM',
    token_type: 'Bearer',
  },
}

const refusal = (grant: 'authorization_code' | 'refresh_token', envelope: unknown) => {
  try {
    processTokenResponse(parseEnvelope(JSON.stringify(envelope)), grant)
  } catch (error) {
    if (error instanceof RelayError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

const NOT_JSON = 'Withings answered with a body that is not JSON.'
const NOT_ENVELOPE = 'Withings answered with JSON that is not an envelope.'
const NO_STATUS = "Withings' answer has no valid 'status' field."

describe("Withings' token envelope", () => {
  test("parses the reference's example", () => {
    expect(
      processTokenResponse(parseEnvelope(JSON.stringify(success)), 'authorization_code'),
    ).toEqual({
      userid: '363',
      accessToken: 'a075f8c14fb8df40b08ebc8508533dc332a6910a',
      refreshToken: 'f631236f02b991810feb774765b6ae8e6c6839ca',
      expiresIn: 10800,
      scope: 'user.info,user.metrics',
    })
  })

  test('reads expires_in sent as text, whole seconds only, and a missing scope as none', () => {
    const body = { ...success.body, expires_in: '10800.9', scope: undefined }
    expect(
      processTokenResponse(parseEnvelope(JSON.stringify({ status: 0, body })), 'refresh_token'),
    ).toMatchObject({ expiresIn: 10800, scope: '' })
  })

  test('accepts userid as a string, as the new endpoint sends it', () => {
    const body = { ...success.body, userid: '12345678' }
    const tokens = processTokenResponse(
      parseEnvelope(JSON.stringify({ status: 0, body })),
      'refresh_token',
    )
    expect(tokens.userid).toBe('12345678')
  })

  test.each([
    ['no access_token', { access_token: undefined }, "'access_token'"],
    ['an empty refresh_token', { refresh_token: '' }, "'refresh_token'"],
    ['a negative expires_in', { expires_in: -5 }, "'expires_in'"],
    ['a zero expires_in', { expires_in: 0 }, "'expires_in'"],
    ['a zero expires_in as text', { expires_in: '0' }, "'expires_in'"],
    ['an expires_in that is not a number', { expires_in: 'soon' }, "'expires_in'"],
    ['an infinite expires_in', { expires_in: 'Infinity' }, "'expires_in'"],
    ['a boolean expires_in', { expires_in: true }, "'expires_in'"],
    ['a userid object', { userid: { id: 1 } }, "'userid'"],
    ['a fractional userid', { userid: 3.5 }, "'userid'"],
    ['a zero userid', { userid: 0 }, "'userid'"],
    ['a userid past the safe integers', { userid: 2 ** 53 + 2 }, "'userid'"],
    ['a userid with text after its digits', { userid: '363abc' }, "'userid'"],
    ['a userid with text before its digits', { userid: 'abc363' }, "'userid'"],
    ['an empty userid', { userid: '' }, "'userid'"],
  ])('refuses a success envelope with %s', (_, patch, field) => {
    const error = refusal('authorization_code', { status: 0, body: { ...success.body, ...patch } })
    expect(error.code).toBe('upstream_error')
    expect(error.message).toContain(field)
  })

  test.each([
    ['an HTML page', '<html>502 Bad Gateway</html>', 'upstream_unavailable', NOT_JSON],
    ['a cut-off envelope', '{"status":0,"body":{"userid"', 'upstream_unavailable', NOT_JSON],
    ['an array', '[1,2]', 'upstream_error', NOT_ENVELOPE],
    ['null', 'null', 'upstream_error', NOT_ENVELOPE],
    ['a number', '0', 'upstream_error', NOT_ENVELOPE],
    ['a string', '"ok"', 'upstream_error', NOT_ENVELOPE],
    ['no status', '{"body":{}}', 'upstream_error', NO_STATUS],
    ['a status as text', '{"status":"0","body":{}}', 'upstream_error', NO_STATUS],
    ['a fractional status', '{"status":0.5,"body":{}}', 'upstream_error', NO_STATUS],
  ])('an answer that is %s is refused: %s', (_, text, code, message) => {
    expect(() => parseEnvelope(text)).toThrowError(
      expect.objectContaining({ code, message, retryable: code === 'upstream_unavailable' }),
    )
  })

  // Error envelopes are seen with `body: {}`, `body: []` or no body at all.
  test.each([
    ['{"status":503}', {}, undefined],
    ['{"status":503,"body":[],"error":"Invalid Params"}', {}, 'Invalid Params'],
    ['{"status":503,"body":null,"error":42}', {}, undefined],
    ['{"status":503,"body":"none","error":null}', {}, undefined],
    ['{"status":0,"body":{"more":false}}', { more: false }, undefined],
  ])('%s is read as its status, an object body and a text error', (text, body, error) => {
    expect(parseEnvelope(text)).toEqual({ status: JSON.parse(text).status, body, error })
  })

  test("status != 0 is an error even with HTTP 200, in the relay's words with Withings' status", () => {
    const error = refusal('authorization_code', {
      status: 503,
      body: {},
      error: 'Invalid Params: invalid code',
    })
    expect(error.code).toBe('code_expired')
    expect(error.status).toBe(400)
    expect(error.message).toBe(
      'The authorization code is no longer valid: codes live 30 seconds and work once (Withings status 503).',
    )
  })

  test('"invalid client id/secret" names both of its causes: the credentials, and the callback URL', () => {
    const error = refusal('authorization_code', {
      status: 503,
      error: 'Invalid Params: invalid client id/secret',
    })
    expect(error.code).toBe('invalid_client')
    expect(error.message).toMatch(/WITHINGS_CLIENT_SECRET.*WITHINGS_REDIRECT_URI/)
  })

  test.each([
    [503, 'Invalid Params: invalid code', 'authorization_code', 'code_expired'],
    [503, undefined, 'authorization_code', 'code_expired'],
    [293, 'Wrong redirect_uri', 'authorization_code', 'redirect_uri_mismatch'],
    [503, 'Invalid Params: invalid client_secret', 'authorization_code', 'invalid_client'],
    [503, 'Invalid Params: invalid client_id', 'refresh_token', 'invalid_client'],
    [100, undefined, 'authorization_code', 'invalid_client'],
    [401, 'Authentication failed', 'authorization_code', 'invalid_client'],
    [503, 'Invalid Params: invalid refresh_token', 'refresh_token', 'session_expired'],
    [401, undefined, 'refresh_token', 'session_expired'],
    [601, 'Same arguments in less than 10 seconds', 'refresh_token', 'rate_limited'],
    [522, undefined, 'refresh_token', 'upstream_timeout'],
    [524, undefined, 'authorization_code', 'upstream_unavailable'],
    [2554, undefined, 'authorization_code', 'upstream_error'],
    [214, undefined, 'authorization_code', 'upstream_error'],
    [9000, 'An error occurred', 'refresh_token', 'upstream_error'],
  ] as const)('status %i (%s) on %s → %s', (status, error, grant, code) => {
    expect(refusal(grant, { status, body: {}, error }).code).toBe(code)
  })

  // Withings' wait, when it is a sane number of seconds: rounded up, since retrying early earns
  // another 601; anything else leaves the wait to the caller.
  test.each([
    [188, 188],
    ['188', 188],
    [0.2, 1],
    [0, 0],
    [-5, undefined],
    ['-5', undefined],
    ['soon', undefined],
    ['Infinity', undefined],
    [null, undefined],
    [undefined, undefined],
  ])('601 with wait_seconds %j passes on retry_after %j', (wait, retryAfter) => {
    const error = refusal('refresh_token', {
      status: 601,
      body: { wait_seconds: wait },
      error: 'Same arguments in less than 10 seconds',
    })
    expect(error.retryAfter).toBe(retryAfter)
    expect(error.toBody().error).toEqual({
      code: 'rate_limited',
      retryable: true,
      message: 'Withings asks to slow down (Withings status 601).',
      ...(retryAfter !== undefined && { retry_after: retryAfter }),
    })
  })

  test('error envelopes without a body are understood', () => {
    expect(
      refusal('authorization_code', { status: 503, error: 'Invalid Params: invalid code' }).code,
    ).toBe('code_expired')
  })
})

// The families as the reference names them, in statusFamily's words.
const FAMILY_OF_NAME: Record<string, string> = {
  'Operation was successful': 'ok',
  'Authentication failed': 'authentication_failed',
  'Invalid params': 'invalid_params',
  Unauthorized: 'unauthorized',
  'Not implemented': 'not_implemented',
  Timeout: 'timeout',
  'Bad state': 'bad_state',
  'Too many request': 'too_many_requests',
  'An error occurred': 'error_occurred',
}

/** The reference's rows as ranges: `201..213` and its typo `220...221` alike. */
const REFERENCE_ROWS = RESPONSE_STATUS_ROWS.trim()
  .split('\n')
  .map((row) => {
    const [, from, to, name] = /^(\d+)(?:\.{2,3}(\d+))? (.+)$/.exec(row) ?? []
    const family = FAMILY_OF_NAME[name ?? '']
    if (from === undefined || family === undefined) throw new Error(`unread row: ${row}`)
    return { from: Number(from), to: Number(to ?? from), family }
  })

describe('status families (reference, Response Status)', () => {
  test('the reference names 75 rows, the highest 10000', () => {
    expect(REFERENCE_ROWS).toHaveLength(75)
    expect(Math.max(...REFERENCE_ROWS.map((row) => row.to))).toBe(10_000)
  })

  // 403 is not in the reference: real answers use it for a missing scope (below).
  test('every status up to 10001 has the family its row names, and "An error occurred" without one', () => {
    const wrong: string[] = []
    for (let status = 0; status <= 10_001; status++) {
      if (status === 403) continue
      const row = REFERENCE_ROWS.find(({ from, to }) => status >= from && status <= to)
      const expected = row?.family ?? 'error_occurred'
      const family = statusFamily(status)
      if (family !== expected) wrong.push(`${status}: ${family}, not ${expected}`)
    }
    expect(wrong).toEqual([])
  })

  // Not in the reference: real answers to a call without its scope (python-withings issue 587).
  test.each([
    [403, undefined],
    [403, 'Unauthorized'],
    [
      503,
      'XRequestID: [Not provided] - Insufficient_scope: The request requires higher privileges',
    ],
    [9999, 'INSUFFICIENT_SCOPE'],
  ])('%i with %j is insufficient_scope', (status, error) => {
    expect(statusFamily(status, error)).toBe('insufficient_scope')
  })
})
