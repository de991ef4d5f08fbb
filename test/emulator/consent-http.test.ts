import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createEmulator, type Emulator } from '../../relay/emulator/emulator'
import { type Listening, listen } from '../../relay/node/listen'
import { consentViaHttp } from '../support/consent'

// The whole Web Authorization Flow against a served emulator, the way the relay's integration
// tests use it: real sockets, real redirects (not followed), real form posts.

let server: Listening
let emulator: Emulator
const REDIRECT_URI = 'http://localhost:5173/callback'

beforeEach(async () => {
  emulator = createEmulator({
    clients: [
      {
        clientId: 'http-client',
        clientSecret: 'http-secret',
        callbacks: [REDIRECT_URI],
        name: 'HTTP test',
      },
    ],
  })
  server = await listen(emulator.fetch, { hostname: '127.0.0.1', port: 0 })
})
afterEach(() => server.close())

function authorize(params: Record<string, string> = {}) {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: 'http-client',
    scope: 'user.metrics,user.activity',
    redirect_uri: REDIRECT_URI,
    state: 'http-state',
    ...params,
  })
  return `${server.url}/oauth2_user/authorize2?${query}`
}

async function exchange(code: string) {
  const response = await fetch(`${server.url}/v2/oauth2`, {
    method: 'POST',
    body: new URLSearchParams({
      action: 'requesttoken',
      grant_type: 'authorization_code',
      client_id: 'http-client',
      client_secret: 'http-secret',
      code,
      redirect_uri: REDIRECT_URI,
    }),
  })
  return (await response.json()) as { status: number; body: Record<string, unknown> }
}

describe('consentViaHttp against a served emulator', () => {
  it('gets a real code for a seeded user and exchanges it for tokens', async () => {
    const callback = await consentViaHttp(authorize())
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI)
    expect(callback.searchParams.get('state')).toBe('http-state')
    const result = await exchange(callback.searchParams.get('code') ?? '')
    expect(result.status).toBe(0)
    expect(result.body.userid).toBe(emulator.users[1]?.userid)
    expect(result.body.scope).toBe('user.metrics,user.activity')

    const data = await fetch(`${server.url}/measure`, {
      method: 'POST',
      headers: { authorization: `Bearer ${String(result.body.access_token)}` },
      body: new URLSearchParams({ action: 'getmeas', meastype: '1' }),
    })
    expect(((await data.json()) as { status: number }).status).toBe(0)
  })

  it('signs in the account asked for, and the demo user with mode=demo', async () => {
    const grace = emulator.users[2]
    const asGrace = await consentViaHttp(authorize(), {
      email: grace?.email,
      password: grace?.password,
    })
    expect((await exchange(asGrace.searchParams.get('code') ?? '')).body.userid).toBe(
      String(grace?.userid),
    )
    const asDemo = await consentViaHttp(authorize({ mode: 'demo', state: 'demo-state' }))
    expect((await exchange(asDemo.searchParams.get('code') ?? '')).body.userid).toBe(363)
  })

  it('returns the deny redirect', async () => {
    const callback = await consentViaHttp(authorize(), { decision: 'deny' })
    expect(callback.searchParams.get('error')).toBe('access_denied')
    expect(callback.searchParams.get('state')).toBe('http-state')
  })

  it('fails loudly on a bad authorize URL or a wrong password', async () => {
    await expect(consentViaHttp(authorize({ client_id: 'nobody' }))).rejects.toThrow(
      /HTTP 400.*invalid clientid/,
    )
    await expect(consentViaHttp(authorize(), { password: 'wrong' })).rejects.toThrow(/HTTP 401/)
  })
})
