import { describe, expect, it } from 'vitest'
import {
  callbackUrl,
  checkRedirectUri,
  isLocalHost,
  parseCallbacks,
} from '../../relay/emulator/callbacks'

describe('callback rules', () => {
  const registered = parseCallbacks([
    'https://mydomain.com/',
    ' https://mydomain2.com/app , bad url',
  ])

  it('reads comma-separated registrations and skips what does not parse', () => {
    expect(registered.map((url) => url.href)).toEqual([
      'https://mydomain.com/',
      'https://mydomain2.com/app',
    ])
  })

  it('follows the reference example: any path and query under a registered callback', () => {
    const check = (uri: string) =>
      checkRedirectUri(uri, registered, { allowLocalCallbacks: false }).ok
    expect(check('https://mydomain.com/relative_path?args=value')).toBe(true)
    expect(check('https://mydomain2.com/app/callback')).toBe(true)
    expect(check('https://mydomain2.com/other')).toBe(false)
    expect(check('https://sub.mydomain.com/')).toBe(false)
    expect(check('https://mydomain.com:8443/')).toBe(false)
    expect(check('https://mydomain.com:443/')).toBe(true)
    expect(check('http://mydomain.com/')).toBe(false)
    expect(check(`https://mydomain.com/${'a'.repeat(260)}`)).toBe(false)
  })

  it('knows localhost and IP literals', () => {
    for (const host of ['localhost', 'app.localhost', '127.0.0.1', '10.0.0.8', '[::1]']) {
      expect(isLocalHost(host), host).toBe(true)
    }
    for (const host of ['example.com', 'localhost.example.com', '1.example']) {
      expect(isLocalHost(host), host).toBe(false)
    }
  })

  it('appends to the existing query without re-encoding it', () => {
    expect(callbackUrl('https://a.example/cb', [['code', 'x']])).toBe('https://a.example/cb?code=x')
    expect(callbackUrl('https://a.example/cb?', [['code', 'x']])).toBe(
      'https://a.example/cb?code=x',
    )
    expect(
      callbackUrl('https://a.example/cb?q=a%2Bb&r', [
        ['code', 'x'],
        ['state', 'a b+c/='],
      ]),
    ).toBe('https://a.example/cb?q=a%2Bb&r&code=x&state=a%20b%2Bc%2F%3D')
  })
})
