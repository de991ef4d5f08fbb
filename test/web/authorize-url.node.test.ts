import { describe, expect, test } from 'vitest'
import { buildAuthorizeUrl } from '../../web/react/auth/authorize-url'
import { randomState } from '../../web/react/auth/random-state'

const base = {
  authorizeUrl: 'https://account.withings.com/oauth2_user/authorize2',
  clientId: 'YOUR_CLIENT_ID',
  redirectUri: 'YOUR_REDIRECT_URI',
  state: 'YOUR_STATE',
}

describe('buildAuthorizeUrl', () => {
  test("matches the reference's example to the character", () => {
    const url = buildAuthorizeUrl({
      ...base,
      scopes: ['user.info', 'user.metrics', 'user.activity'],
      demo: false,
    })
    expect(url).toBe(
      'https://account.withings.com/oauth2_user/authorize2?response_type=code&client_id=YOUR_CLIENT_ID&scope=user.info,user.metrics,user.activity&redirect_uri=YOUR_REDIRECT_URI&state=YOUR_STATE',
    )
  })

  test('adds mode=demo only when asked', () => {
    const demo = buildAuthorizeUrl({ ...base, scopes: ['user.metrics'], demo: true })
    expect(demo.endsWith('&state=YOUR_STATE&mode=demo')).toBe(true)
    expect(buildAuthorizeUrl({ ...base, scopes: ['user.metrics'], demo: false })).not.toContain(
      'mode=',
    )
  })

  test('encodes a real redirect URI and state but keeps the scope commas literal', () => {
    const url = new URL(
      buildAuthorizeUrl({
        ...base,
        redirectUri: 'https://app.example.com/callback?from=a&b=c',
        state: 'a+b/c=',
        scopes: ['user.metrics', 'user.sleepevents'],
        demo: false,
      }),
    )
    expect(url.search).toContain('scope=user.metrics,user.sleepevents&')
    expect(url.searchParams.get('redirect_uri')).toBe('https://app.example.com/callback?from=a&b=c')
    expect(url.searchParams.get('state')).toBe('a+b/c=')
  })
})

describe('randomState', () => {
  test('is 32 random bytes in base64url: 43 URL-safe characters, never repeated', () => {
    const states = new Set(Array.from({ length: 200 }, randomState))
    expect(states.size).toBe(200)
    for (const state of states) expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })
})
