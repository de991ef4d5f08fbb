import { describe, expect, test } from 'vitest'
import {
  ConfigError,
  configFromEnv,
  type EmulatedWithings,
  parseConfig,
} from '../../relay/core/config'
import { keyWeakness } from '../../relay/core/key-strength'
import { accepted, refused, testKey } from '../support/relay-config'

const valid = {
  WITHINGS_CLIENT_ID: 'client-id',
  WITHINGS_CLIENT_SECRET: 'client-secret',
  WITHINGS_REDIRECT_URI: 'https://app.example.com/callback',
  RELAY_SECRET: testKey('k'),
}

const EMULATED: EmulatedWithings = {
  clientId: 'local-client',
  clientSecret: 'local-secret',
  authorizeUrl: 'http://127.0.0.1:4000/oauth2_user/authorize2',
  apiUrl: 'http://127.0.0.1:4000',
  redirectUri: 'http://localhost:3000/callback',
  relaySecret: testKey('local'),
}

describe('parseConfig', () => {
  test('defaults to the real Withings endpoints', () => {
    const parsed = parseConfig(valid)
    expect(parsed).toMatchObject({
      ok: true,
      warnings: [],
      config: {
        authorizeUrl: 'https://account.withings.com/oauth2_user/authorize2',
        apiUrl: 'https://wbsapi.withings.net',
        relaySecrets: [testKey('k')],
        allowedOrigins: [],
      },
    })
  })

  test('honours overrides, key lists and origins', () => {
    const parsed = parseConfig({
      ...valid,
      WITHINGS_AUTHORIZE_URL: 'http://127.0.0.1:9000/oauth2_user/authorize2',
      WITHINGS_API_URL: 'http://127.0.0.1:9000/',
      RELAY_SECRET: `${testKey('n')}, ${testKey('o')}`,
      ALLOWED_ORIGINS: 'https://a.example.com, https://b.example.com:8443',
    })
    expect(accepted(parsed).config).toMatchObject({
      authorizeUrl: 'http://127.0.0.1:9000/oauth2_user/authorize2',
      apiUrl: 'http://127.0.0.1:9000',
      relaySecrets: [testKey('n'), testKey('o')],
      allowedOrigins: ['https://a.example.com', 'https://b.example.com:8443'],
    })
  })

  test('one clear sentence per problem, all at once', () => {
    const parsed = parseConfig({
      WITHINGS_REDIRECT_URI: 'not a url',
      RELAY_SECRET: 'short',
      ALLOWED_ORIGINS: '*,https://ok.example.com/path',
      WITHINGS_API_URL: 'ftp://x',
    })
    expect(parsed.ok).toBe(false)
    const problems = refused(parsed)
    expect(problems).toEqual([
      'WITHINGS_CLIENT_ID is missing.',
      'WITHINGS_CLIENT_SECRET is missing.',
      expect.stringContaining('WITHINGS_REDIRECT_URI must be an absolute http(s) URL'),
      expect.stringContaining('WITHINGS_API_URL must be an absolute http(s) URL'),
      expect.stringContaining('RELAY_SECRET: the key is neither hex nor base64'),
      expect.stringContaining('ALLOWED_ORIGINS: "*" is not an origin'),
      expect.stringContaining('ALLOWED_ORIGINS: "https://ok.example.com/path" is not an origin'),
    ])
  })

  test("warns, without refusing, when the redirect URI breaks Withings' callback rules", () => {
    const parsed = parseConfig({
      ...valid,
      WITHINGS_REDIRECT_URI: 'http://localhost:3000/callback',
    })
    expect(parsed.ok).toBe(true)
    const [warning] = parsed.ok ? parsed.warnings : []
    expect(warning).toContain('it is not https')
    expect(warning).toContain('it uses port 3000 (only 80 and 443 are allowed)')
    expect(warning).toContain('its host is localhost')
    expect(warning).toMatch(/https tunnel/)
    expect(warning).toMatch(/hosts file/)
    expect(warning).toContain('register exactly that URL as a callback')
    // Withings lets an app in restricted mode (at most 10 users) register http and localhost.
    expect(warning).toContain("rules for a public app's callback URLs")
    expect(warning).toContain(
      'An app in restricted mode (at most 10 users, set in the Withings developer dashboard) may register http and localhost callbacks',
    )
    expect(warning).not.toMatch(/Withings will not register it/)
  })

  test.each([
    ['https://192.168.1.20/callback', 'its host is an IP address'],
    ['https://[::1]/callback', 'its host is an IP address'],
    ['https://app.localhost/callback', 'its host is localhost'],
    [`https://app.example.com/${'x'.repeat(240)}`, 'characters (at most 255)'],
  ])('%s breaks a callback rule: %s', (uri, broken) => {
    const parsed = parseConfig({ ...valid, WITHINGS_REDIRECT_URI: uri })
    expect(accepted(parsed).warnings.join()).toContain(broken)
  })

  test.each([
    'https://app.example.com/callback',
    'https://app.example.com:443/callback',
    'https://app.example.com:80/callback',
  ])('%s keeps the callback rules: no warning', (uri) => {
    const parsed = parseConfig({ ...valid, WITHINGS_REDIRECT_URI: uri })
    expect(accepted(parsed).warnings).toEqual([])
  })

  test('no callback warning when talking to the emulator', () => {
    const parsed = parseConfig(
      { WITHINGS_REDIRECT_URI: 'http://localhost:3000/callback' },
      { emulator: EMULATED },
    )
    expect(accepted(parsed).warnings).toEqual([])
  })

  test("with the emulator: its credentials and endpoints, its redirect URI and key unless they're set", () => {
    const parsed = parseConfig({}, { emulator: EMULATED })
    expect(parsed.ok).toBe(true)
    expect(accepted(parsed).config).toMatchObject({
      clientId: 'local-client',
      clientSecret: 'local-secret',
      authorizeUrl: 'http://127.0.0.1:4000/oauth2_user/authorize2',
      apiUrl: 'http://127.0.0.1:4000',
      redirectUri: 'http://localhost:3000/callback',
      relaySecrets: [testKey('local')],
      emulator: true,
    })
    const chosen = parseConfig(
      { WITHINGS_REDIRECT_URI: 'http://127.0.0.1:8080/callback', RELAY_SECRET: testKey('mine') },
      { emulator: EMULATED },
    )
    expect(accepted(chosen).config).toMatchObject({
      redirectUri: 'http://127.0.0.1:8080/callback',
      relaySecrets: [testKey('mine')],
    })
    expect(parseConfig({ WITHINGS_REDIRECT_URI: 'nope' }, { emulator: EMULATED })).toMatchObject({
      ok: false,
      problems: [expect.stringContaining('WITHINGS_REDIRECT_URI must be an absolute http(s) URL')],
    })
  })

  test('never echoes the client secret', () => {
    const parsed = parseConfig({
      ...valid,
      WITHINGS_CLIENT_SECRET: 'canary-secret',
      RELAY_SECRET: 'x',
    })
    expect(JSON.stringify(parsed)).not.toContain('canary-secret')
  })

  test('rate limit and trusted proxies: defaults and overrides', () => {
    expect(parseConfig(valid)).toMatchObject({
      config: { rateLimitPerMinute: 60, trustProxyHops: 0 },
    })
    const parsed = parseConfig({ ...valid, RATE_LIMIT_PER_MINUTE: '300', TRUST_PROXY: '2' })
    expect(accepted(parsed).config).toMatchObject({ rateLimitPerMinute: 300, trustProxyHops: 2 })
  })

  test.each([
    ['RATE_LIMIT_PER_MINUTE', '0'],
    ['RATE_LIMIT_PER_MINUTE', 'lots'],
    ['RATE_LIMIT_PER_MINUTE', '1.5'],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', '-1'],
    ['TRUST_PROXY', '6'],
    ['WITHINGS_TIMEOUT_MS', '30000'],
    ['SESSION_LIFETIME_DAYS', '0'],
    ['SESSION_LIFETIME_DAYS', '400'],
    ['WITHINGS_CALLS_PER_MINUTE', 'many'],
    ['WITHINGS_CALLS_PER_MINUTE', '5'],
    ['SIGN_INS_PER_ADDRESS', '0'],
    ['WITHINGS_SIGNED_TOKEN_REQUESTS', 'yes'],
  ])('%s=%j is refused in one sentence', (name, value) => {
    const parsed = parseConfig({ ...valid, [name]: value })
    expect(refused(parsed)).toEqual([
      expect.stringMatching(new RegExp(`^${name} must be .*\\(got "${value}"\\)\\.$`)),
    ])
  })

  test('sessions, the Withings budget, sign-ins and signing: defaults and overrides', () => {
    expect(parseConfig(valid)).toMatchObject({
      config: {
        sessionLifetimeSeconds: 30 * 86_400,
        withingsCallsPerMinute: 100,
        signInsPerAddress: 6,
        signedTokenRequests: false,
        redisUrl: undefined,
        proxySecret: undefined,
      },
    })
    const parsed = parseConfig({
      ...valid,
      SESSION_LIFETIME_DAYS: '7',
      WITHINGS_CALLS_PER_MINUTE: '110',
      SIGN_INS_PER_ADDRESS: '20',
      WITHINGS_SIGNED_TOKEN_REQUESTS: '1',
      REDIS_URL: 'redis://cache.internal:6380/2',
      TRUST_PROXY: '1',
      TRUSTED_PROXY_SECRET: 'a-proxy-secret-of-enough-length',
    })
    expect(accepted(parsed).config).toMatchObject({
      sessionLifetimeSeconds: 7 * 86_400,
      withingsCallsPerMinute: 110,
      signInsPerAddress: 20,
      signedTokenRequests: true,
      redisUrl: 'redis://cache.internal:6380/2',
      proxySecret: 'a-proxy-secret-of-enough-length',
    })
    expect(accepted(parsed).warnings).toEqual([])
  })

  // The keys people type instead of a random one (issue 19): each is refused at start, in one
  // sentence that does not repeat the key, and says how to make a good one.
  test.each([
    ['a hex sequence', '0123456789abcdef0123456789abcdef'],
    ['the alphabet', 'abcdefghijklmnopqrstuvwxyzABCDEF'],
    ['a word repeated', 'changeme-changeme-changeme-changeme'],
    ['a passphrase', 'correct horse battery staple!!!!'],
    ['32 identical characters', 'k'.repeat(32)],
    ['a long run of one character', 'A'.repeat(43)],
    ['a long alphabet', 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ'],
    ['a repeated pattern, long enough', 'q3Vf9W1s'.repeat(6)],
    ['hex of a repeated byte pair', 'ab'.repeat(32)],
    ['too short a base64 key', 'q3Vf9W1s0Zp8Jk2Lx7Cn4Rb6Ty5Uh0M'],
    ['little variety', 'abcdabceabcdabcfabcdabcgabcdabchabcdabciabcd'],
  ])('a RELAY_SECRET of %s is refused, saying how to make a key', (_, key) => {
    const [problem, ...more] = refused(parseConfig({ ...valid, RELAY_SECRET: key }))
    expect(more).toEqual([])
    expect(problem).toMatch(
      /^RELAY_SECRET: the key .+, where 32 random bytes or more in hex or base64 are needed; make one with `openssl rand -base64 32`\.$/,
    )
    expect(problem).not.toContain(key)
  })

  test('a weak key among good ones is named by its place, not its value', () => {
    const weak = 'changeme-changeme-changeme-changeme'
    const problems = refused(parseConfig({ ...valid, RELAY_SECRET: `${testKey('n')},${weak}` }))
    expect(problems).toEqual([
      expect.stringMatching(/^RELAY_SECRET: key 2 of 2 decodes to 26 bytes/),
    ])
  })

  test('keys as `openssl rand -base64 32`, `-hex 32` and base64url make are taken without a word', () => {
    for (const key of [
      'q3Vf9W1s0Zp8Jk2Lx7Cn4Rb6Ty5Uh0Me3Ga1Do8Si9N=',
      'a3f9c2e17b6d4058e9f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7',
      'q3Vf9W1s0Zp8Jk2Lx7Cn4Rb6Ty5Uh0Me3Ga1Do8Si9N',
      testKey('any seed'),
    ]) {
      const parsed = parseConfig({ ...valid, RELAY_SECRET: key })
      expect(accepted(parsed).warnings).toEqual([])
    }
  })

  test('random keys are never refused (10,000 of each kind)', () => {
    for (let i = 0; i < 10_000; i++) {
      const bytes = crypto.getRandomValues(new Uint8Array(32))
      const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
      for (const key of [btoa(String.fromCharCode(...bytes)), hex]) {
        expect(keyWeakness(key), key).toBeUndefined()
      }
    }
  })

  test('an http:// allowed origin other than loopback earns a warning; https and localhost do not', () => {
    const parsed = parseConfig({
      ...valid,
      ALLOWED_ORIGINS: 'http://shop.example.com,https://www.example.com,http://localhost:5173',
    })
    expect(accepted(parsed).warnings).toEqual([
      expect.stringMatching(/^ALLOWED_ORIGINS: http:\/\/shop\.example\.com is plain http/),
    ])
  })

  test('TRUST_PROXY without TRUSTED_PROXY_SECRET is taken with a warning that says why', () => {
    const parsed = parseConfig({ ...valid, TRUST_PROXY: '1' })
    expect(accepted(parsed).warnings).toEqual([
      expect.stringMatching(
        /^TRUST_PROXY is set without TRUSTED_PROXY_SECRET: anyone who can reach the relay directly/,
      ),
    ])
  })

  test('sync: on by default, embedded in .data; a server, a folder and windows as set; off', () => {
    expect(accepted(parseConfig(valid)).config.sync).toEqual({
      databaseUrl: undefined,
      dataDir: '.data',
      historyDays: 365,
      detailDays: 7,
      pollMinutes: 360,
    })
    const set = parseConfig({
      ...valid,
      SYNC: 'on',
      DATABASE_URL: 'postgres://app:pw@db.internal:5432/withings',
      DATA_DIR: '/var/lib/withings-link',
      SYNC_HISTORY_DAYS: '30',
      SYNC_DETAIL_DAYS: '0',
      SYNC_POLL_MINUTES: '60',
    })
    expect(accepted(set).config.sync).toEqual({
      databaseUrl: 'postgres://app:pw@db.internal:5432/withings',
      dataDir: '/var/lib/withings-link',
      historyDays: 30,
      detailDays: 0,
      pollMinutes: 60,
    })
    for (const off of ['off', 'OFF', '0', 'false']) {
      expect(accepted(parseConfig({ ...valid, SYNC: off })).config.sync).toBeUndefined()
    }
  })

  test.each([
    ['TRUSTED_PROXY_SECRET', 'short', 'TRUSTED_PROXY_SECRET needs at least 16 random characters'],
    ['REDIS_URL', 'http://cache:6379', 'REDIS_URL must start with redis:// or rediss://'],
    ['SYNC', 'maybe', 'SYNC must be on or off (got "maybe").'],
    ['DATABASE_URL', 'mysql://db/x', 'DATABASE_URL must be a Postgres URL, such as postgres://'],
    ['SYNC_HISTORY_DAYS', '0', 'SYNC_HISTORY_DAYS must be a whole number from 1 to 3650'],
    ['SYNC_DETAIL_DAYS', '31', 'SYNC_DETAIL_DAYS must be a whole number from 0 to 30'],
    ['SYNC_POLL_MINUTES', '1', 'SYNC_POLL_MINUTES must be a whole number from 5 to 10080'],
  ])('%s=%j is refused in one sentence', (name, value, sentence) => {
    const parsed = parseConfig({ ...valid, [name]: value })
    expect(refused(parsed)).toEqual([expect.stringContaining(sentence)])
    // A database URL may hold a password: never echoed.
    expect(JSON.stringify(refused(parsed))).not.toContain('mysql://db/x')
  })
})

describe('configFromEnv', () => {
  test('the config, with each warning handed to onWarning', () => {
    const warnings: string[] = []
    const config = configFromEnv(
      { ...valid, WITHINGS_REDIRECT_URI: 'https://192.168.1.20/callback' },
      { onWarning: (warning) => warnings.push(warning) },
    )
    expect(config.clientId).toBe('client-id')
    // The redirect URI's, and the notification callback's, on the same origin by default.
    expect(warnings).toEqual([
      expect.stringMatching(/^WITHINGS_REDIRECT_URI .* its host is an IP address/),
      expect.stringMatching(/^Notifications: .* its host is an IP address/),
    ])
  })

  test('one ConfigError whose message names every problem, one line each', () => {
    const error = thrownBy(() =>
      configFromEnv({ WITHINGS_CLIENT_ID: 'id', RATE_LIMIT_PER_MINUTE: 'lots' }),
    )
    expect(error).toBeInstanceOf(ConfigError)
    if (!(error instanceof ConfigError)) return
    expect(error.problems).toEqual([
      'WITHINGS_CLIENT_SECRET is missing.',
      'WITHINGS_REDIRECT_URI is missing.',
      expect.stringContaining('RELAY_SECRET is missing'),
      expect.stringContaining('RATE_LIMIT_PER_MINUTE must be a whole number'),
    ])
    expect(error.message.split('\n')).toEqual([
      'withings-link is not configured:',
      ...error.problems.map((problem) => `- ${problem}`),
    ])
  })

  test('reads nothing but the object it is given', () => {
    process.env.WITHINGS_CLIENT_SECRET = 'from-process-env'
    try {
      expect(() => configFromEnv({ ...valid, WITHINGS_CLIENT_SECRET: undefined })).toThrow(
        /WITHINGS_CLIENT_SECRET is missing/,
      )
    } finally {
      delete process.env.WITHINGS_CLIENT_SECRET
    }
  })
})

function thrownBy(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  return undefined
}
