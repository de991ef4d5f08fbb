import { describe, expect, test } from 'vitest'
import { parseConfig } from '../../relay/core/config'
import { accepted, refused, testKey } from '../support/relay-config'

// NOTIFY_CALLBACK_BASE_URL: where Withings reaches the notification callback.

const valid = {
  WITHINGS_CLIENT_ID: 'client-id',
  WITHINGS_CLIENT_SECRET: 'client-secret',
  WITHINGS_REDIRECT_URI: 'https://app.example.com/callback',
  RELAY_SECRET: testKey('k'),
}

const notifyWarnings = (parsed: ReturnType<typeof parseConfig>) =>
  parsed.ok ? parsed.warnings.filter((line) => line.startsWith('Notifications:')) : []

describe('NOTIFY_CALLBACK_BASE_URL', () => {
  test('unset: the app’s public origin (the redirect URI’s), no warning over https', () => {
    const parsed = parseConfig(valid)
    expect(accepted(parsed).config.notifyCallbackBaseUrl).toBeUndefined()
    expect(notifyWarnings(parsed)).toEqual([])
  })

  test('set: kept without a trailing slash, a path allowed', () => {
    const parsed = parseConfig({
      ...valid,
      NOTIFY_CALLBACK_BASE_URL: ' https://hooks.example.com/withings/ ',
    })
    expect(accepted(parsed).config.notifyCallbackBaseUrl).toBe('https://hooks.example.com/withings')
    expect(notifyWarnings(parsed)).toEqual([])
  })

  test.each([
    'hooks.example.com',
    'ftp://hooks.example.com',
    'https://hooks.example.com/?token=1',
    'https://user:pass@hooks.example.com',
  ])('%s is refused in one line', (value) => {
    const parsed = parseConfig({ ...valid, NOTIFY_CALLBACK_BASE_URL: value })
    expect(parsed.ok).toBe(false)
    expect(refused(parsed)).toEqual([
      `NOTIFY_CALLBACK_BASE_URL must be an absolute https URL with no query, such as https://app.example.com (got "${value}").`,
    ])
  })

  test('a base that breaks Withings’ callback rules: a start warning saying notifications will not arrive, and what to do', () => {
    const parsed = parseConfig({ ...valid, NOTIFY_CALLBACK_BASE_URL: 'http://localhost:3000' })
    expect(parsed.ok).toBe(true)
    const [warning] = notifyWarnings(parsed)
    expect(warning).toContain('http://localhost:3000/api/hooks/withings/…')
    expect(warning).toContain('it is not https')
    expect(warning).toContain('it uses port 3000')
    expect(warning).toContain('its host is localhost')
    expect(warning).toContain('no bed-in, bed-out or new-measurement notification will arrive')
    expect(warning).toContain('tunnel')
    // Restricted mode allows http, but Withings' servers can never reach this machine's localhost.
    expect(warning).toContain('http only for an app in restricted mode, and never localhost')
  })

  test('a redirect URI on localhost with real Withings: the notifications warning too', () => {
    const parsed = parseConfig({
      ...valid,
      WITHINGS_REDIRECT_URI: 'http://localhost:3000/callback',
    })
    expect(notifyWarnings(parsed)).toHaveLength(1)
  })

  test('too long for Withings once the callback path is added', () => {
    const base = `https://hooks.example.com/${'x'.repeat(200)}`
    const [warning] = notifyWarnings(parseConfig({ ...valid, NOTIFY_CALLBACK_BASE_URL: base }))
    expect(warning).toMatch(/it has 2\d\d characters \(at most 255\)/)
  })

  test('no warning with the built-in emulator, which accepts local callbacks', () => {
    const parsed = parseConfig(
      { ...valid, WITHINGS_REDIRECT_URI: 'http://localhost:3000/callback' },
      {
        emulator: {
          clientId: 'local-client',
          clientSecret: 'local-secret',
          authorizeUrl: 'http://127.0.0.1:4000/oauth2_user/authorize2',
          apiUrl: 'http://127.0.0.1:4000',
          redirectUri: 'http://localhost:3000/callback',
          relaySecret: testKey('unused'),
        },
      },
    )
    expect(notifyWarnings(parsed)).toEqual([])
  })
})

describe('NOTIFY_CALLBACK_SECRET', () => {
  test('unset: the callback URLs are made with RELAY_SECRET', () => {
    expect(accepted(parseConfig(valid)).config.notifyCallbackSecrets).toBeUndefined()
  })

  test('set: its own keys, the first making URLs, each held to the rules of RELAY_SECRET', () => {
    const keys = `${testKey('callback new')}, ${testKey('callback old')}`
    expect(
      accepted(parseConfig({ ...valid, NOTIFY_CALLBACK_SECRET: keys })).config
        .notifyCallbackSecrets,
    ).toEqual([testKey('callback new'), testKey('callback old')])
    expect(
      refused(
        parseConfig({
          ...valid,
          NOTIFY_CALLBACK_SECRET: `${testKey('n')},changeme-changeme-changeme-changeme`,
        }),
      ),
    ).toEqual([expect.stringMatching(/^NOTIFY_CALLBACK_SECRET: key 2 of 2 decodes to 26 bytes/)])
  })
})
