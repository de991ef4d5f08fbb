import { describe, expect, test } from 'vitest'
import { parseRedisUrl } from '../../relay/core/store/redis-url'

describe('REDIS_URL', () => {
  test.each([
    ['redis://localhost', { host: 'localhost', port: 6379, db: 0, tls: false }],
    ['redis://127.0.0.1:6380/', { host: '127.0.0.1', port: 6380, db: 0, tls: false }],
    [
      'rediss://cache.example.com:6380/3',
      { host: 'cache.example.com', port: 6380, db: 3, tls: true },
    ],
    ['redis://[::1]:7000', { host: '::1', port: 7000, db: 0, tls: false }],
    ['  redis://cache:6379  ', { host: 'cache', port: 6379, db: 0, tls: false }],
    ['redis://cache:1/123456789', { host: 'cache', port: 1, db: 123_456_789, tls: false }],
  ])('%s is where to connect', (url, target) => {
    expect(parseRedisUrl(url)).toEqual({
      ok: true,
      target: { ...target, username: undefined, password: undefined },
    })
  })

  test('user and password are %-decoded', () => {
    const parsed = parseRedisUrl('rediss://app%40eu:p%3Ass%2Fw0rd@cache:6380')
    expect(parsed.ok).toBe(true)
    if (!parsed.ok) return
    expect(parsed.target).toMatchObject({ username: 'app@eu', password: 'p:ss/w0rd' })
    expect(parseRedisUrl('redis://:only-a-password@cache')).toMatchObject({
      ok: true,
      target: { username: undefined, password: 'only-a-password' },
    })
  })

  const example =
    'such as redis://localhost:6379 or rediss://user:password@redis.example.com:6380/0'
  test.each([
    ['cache:6379', `must start with redis:// or rediss:// (TLS), ${example} (got "cache:6379").`],
    ['localhost', `must be a redis:// or rediss:// URL, ${example} (got "localhost").`],
    [
      'redis://cache:99999',
      `must be a redis:// or rediss:// URL, ${example} (got "redis://cache:99999").`,
    ],
    ['redis:cache', `has no host, ${example} (got "redis:cache").`],
    ['redis://cache:0', 'needs a port from 1 to 65535 (got "redis://cache:0").'],
    [
      'redis://cache/zero',
      'may only have a database number as its path, such as /0 (got "redis://cache/zero").',
    ],
    ['redis://cache/0?tls=true', 'takes no ?query or #fragment (got "redis://cache/0?tls=true").'],
    [
      'redis://u:%zz@cache',
      'has a user or password with a broken %-escape (got "redis://***@cache").',
    ],
    [
      'redis://%zz:pw@cache',
      'has a user or password with a broken %-escape (got "redis://***@cache").',
    ],
    ...['/x/3', '/3x', '/1234567890'].map((path): [string, string] => [
      `redis://cache${path}`,
      `may only have a database number as its path, such as /0 (got "redis://cache${path}").`,
    ]),
  ])('%s: one sentence saying what is wrong', (url, problem) => {
    expect(parseRedisUrl(url)).toEqual({ ok: false, problem: `REDIS_URL ${problem}` })
  })

  test('a problem never repeats the password, even in a URL it cannot parse', () => {
    for (const url of [
      'redis://user:hunter2@cache:99999',
      'http://:hunter2@cache',
      'redis://:hunter2@cache/x',
    ]) {
      const parsed = parseRedisUrl(url)
      expect(parsed.ok).toBe(false)
      expect(JSON.stringify(parsed)).not.toContain('hunter2')
    }
  })

  test('the name in the sentence is the setting that held the URL', () => {
    expect(parseRedisUrl('nope', 'CACHE_URL')).toMatchObject({
      problem: expect.stringMatching(/^CACHE_URL /),
    })
  })
})
