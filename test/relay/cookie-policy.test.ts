import { describe, expect, test } from 'vitest'
import { parseConfig } from '../../relay/core/config'
import { cookiePolicy } from '../../relay/core/cookies/cookie-policy'
import { createRelay } from '../../relay/core/create-relay'
import { pagePost } from '../support/page-post'
import { refused, testConfig, testKey } from '../support/relay-config'

const STATE = 's'.repeat(43)

/** The Set-Cookie line of a login bound at a relay whose app lives at `appOrigin`. */
async function loginCookieAt(appOrigin: string): Promise<string> {
  const relay = createRelay(testConfig({ redirectUri: `${appOrigin}/callback` }), { log: () => {} })
  const answer = await relay.request(
    `${appOrigin}/api/auth/login`,
    pagePost(appOrigin, { state: STATE }),
  )
  expect(answer.status).toBe(204)
  return answer.headers.getSetCookie().join('\n')
}

describe('cookies are decided once, from the app origin', () => {
  test('over https: __Host- cookies with Secure, Path=/ and no Domain', async () => {
    const line = await loginCookieAt('https://app.example.com')
    expect(line).toMatch(/^__Host-wl-login=v1\./)
    expect(line).toMatch(/; Secure/)
    expect(line).toMatch(/; HttpOnly/)
    expect(line).toMatch(/; SameSite=Lax/)
    expect(line).toMatch(/; Path=\//)
    expect(line).not.toMatch(/Domain=/i)
  })

  test.each(['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000'])(
    'on %s: the same cookie without the prefix and without Secure, still HttpOnly',
    async (origin) => {
      const line = await loginCookieAt(origin)
      expect(line).toMatch(/^wl-login=v1\./)
      expect(line).not.toMatch(/Secure/)
      expect(line).toMatch(/; HttpOnly/)
      expect(line).toMatch(/; SameSite=Lax/)
    },
  )

  test('never per request: an https request to a loopback-configured relay gets the same cookie', async () => {
    const relay = createRelay(testConfig({ redirectUri: 'http://localhost:3000/callback' }), {
      log: () => {},
    })
    const answer = await relay.request(
      'https://localhost:3000/api/auth/login',
      pagePost('http://localhost:3000', { state: STATE }, { 'x-forwarded-proto': 'https' }),
    )
    expect(answer.headers.getSetCookie().join()).toMatch(/^wl-login=/)
  })

  test('the session cookie is SameSite=Strict, the login cookie Lax', () => {
    const policy = cookiePolicy('https://app.example.com')
    expect(policy.session.options(60)).toMatchObject({ sameSite: 'Strict', secure: true })
    expect(policy.login.options(60)).toMatchObject({ sameSite: 'Lax', secure: true })
    expect(policy.session.name).toBe('__Host-wl-session')
  })

  test('plain http on another host is refused, by createRelay and by the config in one line', () => {
    expect(() => cookiePolicy('http://app.example.com')).toThrow(/serve it over https/)
    const parsed = parseConfig({
      WITHINGS_CLIENT_ID: 'id',
      WITHINGS_CLIENT_SECRET: 'secret',
      WITHINGS_REDIRECT_URI: 'http://app.example.com/callback',
      RELAY_SECRET: testKey('r'),
    })
    expect(refused(parsed)).toEqual([
      'WITHINGS_REDIRECT_URI http://app.example.com/callback is plain http on app.example.com: use https, or http://localhost (or 127.0.0.1, [::1]) on your own machine.',
    ])
  })
})
