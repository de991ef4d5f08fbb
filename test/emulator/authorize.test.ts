import { describe, expect, it } from 'vitest'
import { REDIRECT_URI_MISMATCH } from '../../relay/emulator/callbacks'
import { consentViaHttp } from '../support/consent'
import { authorizeUrl, BASE, CLIENT, REDIRECT_URI, setup } from './support'

const get = (emulator: ReturnType<typeof setup>['emulator'], url: string) =>
  emulator.fetch(new Request(url))

const text = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ')

describe('GET /oauth2_user/authorize2 validation', () => {
  const cases: [string, Record<string, string | undefined>, string][] = [
    ['a missing response_type', { response_type: undefined }, 'invalid response_type'],
    ['a response_type other than code', { response_type: 'token' }, 'invalid response_type'],
    ['a missing client_id', { client_id: undefined }, 'invalid clientid'],
    ['an unknown client_id', { client_id: 'nobody' }, 'invalid clientid'],
    ['a missing scope', { scope: undefined }, 'invalid scope'],
    ['an empty scope', { scope: '' }, 'invalid scope'],
    ['an unknown scope', { scope: 'user.metrics,user.everything' }, 'invalid scope'],
    ['space-separated scopes', { scope: 'user.info user.metrics' }, 'invalid scope'],
    ['a trailing comma in scope', { scope: 'user.info,' }, 'invalid scope'],
    ['a missing state', { state: undefined }, 'invalid state'],
    ['an empty state', { state: '' }, 'invalid state'],
    ['a missing redirect_uri', { redirect_uri: undefined }, REDIRECT_URI_MISMATCH],
    [
      'an unregistered host',
      { redirect_uri: 'https://evil.example.net/callback' },
      REDIRECT_URI_MISMATCH,
    ],
    ['another port', { redirect_uri: 'http://localhost:5174/callback' }, REDIRECT_URI_MISMATCH],
    ['another scheme', { redirect_uri: 'https://localhost:5173/callback' }, REDIRECT_URI_MISMATCH],
    [
      'a path outside the callback',
      { redirect_uri: 'http://localhost:5173/other' },
      REDIRECT_URI_MISMATCH,
    ],
    [
      'a path escaping with dot segments',
      { redirect_uri: 'http://localhost:5173/callback/../admin' },
      REDIRECT_URI_MISMATCH,
    ],
    ['a fragment', { redirect_uri: `${REDIRECT_URI}#frag` }, REDIRECT_URI_MISMATCH],
    ['a relative redirect_uri', { redirect_uri: '/callback' }, REDIRECT_URI_MISMATCH],
    ['a javascript: redirect_uri', { redirect_uri: 'javascript:alert(1)' }, REDIRECT_URI_MISMATCH],
  ]

  it.each(cases)('shows an error page, never a redirect, for %s', async (_, overrides, message) => {
    const { emulator } = setup()
    const response = await get(emulator, authorizeUrl(overrides))
    expect(response.status).toBe(400)
    expect(response.headers.get('location')).toBeNull()
    expect(response.headers.get('content-type')).toMatch(/^text\/html/)
    const body = await response.text()
    expect(text(body)).toContain(message)
    expect(body).not.toContain('name="decision"')
  })

  it('lists every problem at once', async () => {
    const { emulator } = setup()
    const response = await get(
      emulator,
      authorizeUrl({ response_type: 'token', scope: 'x', state: undefined }),
    )
    const body = text(await response.text())
    expect(body).toContain('invalid response_type')
    expect(body).toContain('invalid scope')
    expect(body).toContain('invalid state')
  })

  it('refuses a parameter given twice', async () => {
    const { emulator } = setup()
    const response = await get(emulator, `${authorizeUrl()}&state=second`)
    expect(response.status).toBe(400)
    expect(text(await response.text())).toContain('invalid state: given more than once')
  })

  it('accepts a redirect_uri under a registered path, with its own query', async () => {
    const { emulator } = setup()
    const ok = [
      'http://localhost:5173/callback?args=value',
      'http://localhost:5173/callback/deeper',
      'https://app.example.com/oauth/done',
      'https://other.example.com/anything?x=1',
    ]
    for (const redirect_uri of ok) {
      const response = await get(emulator, authorizeUrl({ redirect_uri }))
      expect(response.status, redirect_uri).toBe(200)
    }
  })

  it('refuses http, localhost and IP callbacks when allowLocalCallbacks is false', async () => {
    const { emulator } = setup({
      allowLocalCallbacks: false,
      clients: [
        {
          ...CLIENT,
          callbacks: [
            REDIRECT_URI,
            'https://127.0.0.1/cb',
            'https://app.example.com:8443/cb',
            'https://app.example.com/cb',
          ],
        },
      ],
    })
    for (const redirect_uri of [
      REDIRECT_URI,
      'https://127.0.0.1/cb',
      'https://app.example.com:8443/cb',
    ]) {
      const response = await get(emulator, authorizeUrl({ redirect_uri }))
      expect(response.status, redirect_uri).toBe(400)
      expect(text(await response.text())).toContain(REDIRECT_URI_MISMATCH)
    }
    expect(
      (await get(emulator, authorizeUrl({ redirect_uri: 'https://app.example.com/cb' }))).status,
    ).toBe(200)
  })

  it('escapes everything it echoes back', async () => {
    const { emulator } = setup()
    const state = '"><script>alert(1)</script>'
    const response = await get(emulator, authorizeUrl({ state, scope: '<b>x</b>' }))
    const body = await response.text()
    expect(body).not.toContain('<script>')
    expect(body).not.toContain('<b>x</b>')
    expect(body).toContain('&lt;b&gt;x&lt;/b&gt;')
  })
})

describe('sign-in and consent pages', () => {
  it('signs the demo user in automatically with mode=demo', async () => {
    const { emulator } = setup()
    const response = await get(emulator, authorizeUrl({ mode: 'demo' }))
    expect(response.status).toBe(200)
    const body = await response.text()
    expect(text(body)).toContain('Signed in as Demo User')
    expect(body).toMatch(/<button type="submit" name="decision" value="accept">Accept<\/button>/)
    expect(body).toMatch(/<button type="submit" name="decision" value="deny">Deny<\/button>/)
    expect(body).toMatch(/<form method="post"/)
  })

  it('shows the app name and each requested scope with what it allows', async () => {
    const { emulator } = setup()
    const body = await (
      await get(emulator, authorizeUrl({ mode: 'demo', scope: 'user.metrics,user.sleepevents' }))
    ).text()
    expect(body).toContain('Test &lt;App&gt; &amp; Co')
    expect(text(body)).toContain('user.metrics Your measurements')
    expect(text(body)).toContain('user.sleepevents Notifications when you get into or out of bed')
    expect(text(body)).not.toContain('user.activity')
  })

  it('asks a non-demo visitor to sign in, listing the seeded accounts', async () => {
    const { emulator } = setup()
    const response = await get(emulator, authorizeUrl())
    const body = await response.text()
    expect(response.status).toBe(200)
    expect(body).toMatch(/<label for="email">Email<\/label>\s*<input id="email" name="email"/)
    expect(body).toMatch(
      /<label for="password">Password<\/label>\s*<input id="password" name="password" type="password"/,
    )
    expect(body).toMatch(/<button[^>]*>Sign in<\/button>/)
    for (const user of emulator.users.filter((u) => !u.demo)) {
      expect(body).toContain(user.email)
      expect(body).toContain(user.password)
    }
  })

  it('is accessible and locked down: lang, viewport, headings, no script, security headers', async () => {
    const { emulator } = setup()
    for (const url of [
      authorizeUrl(),
      authorizeUrl({ mode: 'demo' }),
      authorizeUrl({ client_id: 'x' }),
      `${BASE}/`,
    ]) {
      const response = await get(emulator, url)
      const body = await response.text()
      expect(body).toMatch(/^<!doctype html>\n<html lang="en">/)
      expect(body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">')
      expect(body).toMatch(/<h1>/)
      expect(body).not.toMatch(/<script/i)
      expect(response.headers.get('referrer-policy')).toBe('no-referrer')
      expect(response.headers.get('x-frame-options')).toBe('DENY')
    }
  })

  it('takes a seeded user through sign-in to the consent page', async () => {
    const { emulator } = setup()
    const [, ada] = emulator.users
    const callback = await consentViaHttp(authorizeUrl(), {
      email: ada?.email,
      password: ada?.password,
      fetch: emulator.fetch,
    })
    expect(callback.searchParams.get('code')).toMatch(/^[a-z]{40}$/)
  })

  it('refuses a wrong password with a clear error, on the sign-in page, as 401', async () => {
    const { emulator } = setup()
    const fields = new URLSearchParams(new URL(authorizeUrl()).search)
    fields.set('email', 'ada@example.com')
    fields.set('password', 'not-the-password')
    const response = await emulator.fetch(
      new Request(`${BASE}/oauth2_user/login`, { method: 'POST', body: fields }),
    )
    expect(response.status).toBe(401)
    const body = await response.text()
    expect(body).toMatch(/role="alert"[^>]*>Wrong email or password/)
    expect(body).toContain('value="ada@example.com"')
    expect(body).not.toContain('name="decision"')
    await expect(
      consentViaHttp(authorizeUrl(), { password: 'nope', fetch: emulator.fetch }),
    ).rejects.toThrow(/HTTP 401/)
  })

  it('re-validates the carried parameters on sign-in', async () => {
    const { emulator } = setup()
    const fields = new URLSearchParams(
      new URL(authorizeUrl({ redirect_uri: 'https://evil.example.net/' })).search,
    )
    fields.set('email', 'ada@example.com')
    fields.set('password', 'ada-emulator')
    const response = await emulator.fetch(
      new Request(`${BASE}/oauth2_user/login`, { method: 'POST', body: fields }),
    )
    expect(response.status).toBe(400)
  })
})

describe('Accept and Deny', () => {
  async function consentForm(emulator: ReturnType<typeof setup>['emulator'], url: string) {
    const body = await (await get(emulator, url)).text()
    const fields = new URLSearchParams()
    for (const match of body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
      fields.append(
        match[1] ?? '',
        (match[2] ?? '')
          .replaceAll('&amp;', '&')
          .replaceAll('&quot;', '"')
          .replaceAll('&#39;', "'")
          .replaceAll('&lt;', '<')
          .replaceAll('&gt;', '>'),
      )
    }
    return fields
  }

  const decide = (emulator: ReturnType<typeof setup>['emulator'], fields: URLSearchParams) =>
    emulator.fetch(new Request(`${BASE}/oauth2_user/authorize2`, { method: 'POST', body: fields }))

  it('Accept redirects with code and state, keeping the callback query and the state intact', async () => {
    const { emulator } = setup()
    const state = 'Zm9v-YmFy_~.+/= &?#%é'
    const fields = await consentForm(
      emulator,
      authorizeUrl({ mode: 'demo', state, redirect_uri: `${REDIRECT_URI}?tab=1&x=a%20b` }),
    )
    fields.set('decision', 'accept')
    const response = await decide(emulator, fields)
    expect(response.status).toBe(302)
    const location = response.headers.get('location') ?? ''
    expect(location.startsWith(`${REDIRECT_URI}?tab=1&x=a%20b&code=`)).toBe(true)
    const url = new URL(location)
    expect(url.searchParams.get('state')).toBe(state)
    expect(url.searchParams.get('code')).toMatch(/^[a-z]{40}$/)
    expect(url.searchParams.get('tab')).toBe('1')
    expect(response.headers.get('referrer-policy')).toBe('no-referrer')
  })

  it('passes a base64url state back byte for byte', async () => {
    const { emulator } = setup()
    const state = 'q7L3_9xYc-0AbCdEfGhIjKlMnOpQrStUvWxYz012345'
    const callback = await consentViaHttp(authorizeUrl({ mode: 'demo', state }), {
      fetch: emulator.fetch,
    })
    expect(callback.search).toContain(`&state=${state}`)
  })

  it('Deny redirects with error=access_denied and the state', async () => {
    const { emulator } = setup()
    const callback = await consentViaHttp(
      authorizeUrl({ mode: 'demo', redirect_uri: `${REDIRECT_URI}?keep=me` }),
      {
        decision: 'deny',
        fetch: emulator.fetch,
      },
    )
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI)
    expect(callback.searchParams.get('keep')).toBe('me')
    expect(callback.searchParams.get('error')).toBe('access_denied')
    expect(callback.searchParams.get('state')).toBe('state-123')
    expect(callback.searchParams.has('code')).toBe(false)
  })

  it('re-validates the hidden fields: a tampered redirect_uri is refused, not followed', async () => {
    const { emulator } = setup()
    const fields = await consentForm(emulator, authorizeUrl({ mode: 'demo' }))
    fields.set('redirect_uri', 'https://evil.example.net/steal')
    fields.set('decision', 'accept')
    const response = await decide(emulator, fields)
    expect(response.status).toBe(400)
    expect(response.headers.get('location')).toBeNull()
  })

  it('binds the form to its request: another state or client on the same ticket is refused', async () => {
    const { emulator } = setup()
    const fields = await consentForm(emulator, authorizeUrl({ mode: 'demo' }))
    fields.set('state', 'another-state')
    fields.set('decision', 'accept')
    const response = await decide(emulator, fields)
    expect(response.status).toBe(400)
    expect(text(await response.text())).toContain('expired or was already used')
  })

  it('uses a consent form once only', async () => {
    const { emulator } = setup()
    const fields = await consentForm(emulator, authorizeUrl({ mode: 'demo' }))
    fields.set('decision', 'accept')
    expect((await decide(emulator, fields)).status).toBe(302)
    expect((await decide(emulator, fields)).status).toBe(400)
  })

  it('needs an explicit decision', async () => {
    const { emulator } = setup()
    const fields = await consentForm(emulator, authorizeUrl({ mode: 'demo' }))
    fields.set('decision', 'maybe')
    expect((await decide(emulator, fields)).status).toBe(400)
  })
})
