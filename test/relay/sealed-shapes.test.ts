import { describe, expect, test } from 'vitest'
import { PENDING_LOGIN_SECONDS } from '../../relay/contract/wire-contract'
import { cookiePolicy } from '../../relay/core/cookies/cookie-policy'
import { createRelay } from '../../relay/core/create-relay'
import { createSealer } from '../../relay/core/seal'
import { pagePost } from '../support/page-post'
import { testConfig } from '../support/relay-config'
import { fakeClock } from '../support/stack'

// The relay opens only what it sealed itself, and even then trusts no shape: a cookie sealed
// with the right key but in an old or broken shape (a format change, a bug) is no login and no
// session, never a crash, and nothing reaches Withings.

const APP = 'http://localhost:3000'
const config = testConfig({ redirectUri: `${APP}/callback` })
const { login, session } = cookiePolicy(APP)
const STATE = 'S'.repeat(43)
const CODE = 'c'.repeat(40)

function relayAt(clock = fakeClock()) {
  const upstream: string[] = []
  const app = createRelay(config, {
    now: clock.now,
    log: () => {},
    fetch: async (url) => {
      upstream.push(url)
      throw new Error('no Withings here')
    },
  })
  const sealer = createSealer(config.relaySecrets, clock.now)
  const post = (path: string, body: unknown, cookie: string) =>
    app.request(`${APP}${path}`, pagePost(APP, body, { cookie }))
  return { app, sealer, post, upstream, clock }
}

describe('login cookies the relay sealed, in shapes it no longer trusts', () => {
  test.each([
    ['not a list', { s: STATE, exp: 9e9 }],
    ['a state that is not text', [{ s: 42, exp: 9e9 }]],
    ['an expiry that is not a number', [{ s: STATE, exp: '9e9' }]],
    ['an entry that is null', [null]],
    ['an entry without its state', [{ exp: 9e9 }]],
  ])('%s: invalid_state, and no call to Withings', async (_, value) => {
    const relay = relayAt()
    const sealed = await relay.sealer.seal(login.name, value, PENDING_LOGIN_SECONDS)
    const answer = await relay.post(
      '/api/auth/token',
      { code: CODE, state: STATE },
      `${login.name}=${sealed}`,
    )
    expect(answer.status).toBe(400)
    expect((await answer.json()).error.code).toBe('invalid_state')
    expect(relay.upstream).toEqual([])
  })

  test('a state lives 10 minutes to the second, even inside a cookie resealed since', async () => {
    const relay = relayAt()
    const early = 'E'.repeat(43)
    const timely = 'T'.repeat(43)
    const cookie = (answer: Response) => answer.headers.getSetCookie()[0]?.split(';')[0] ?? ''
    let latest = await relay.post('/api/auth/login', { state: early }, '')
    latest = await relay.post('/api/auth/login', { state: timely }, cookie(latest))
    relay.clock.advance(5 * 60_000)
    // A third login rewrites the cookie, with a fresh 10 minutes for the cookie itself.
    latest = await relay.post('/api/auth/login', { state: 'L'.repeat(43) }, cookie(latest))
    relay.clock.advance(5 * 60_000 - 1_000)
    // At 599 s the state is still pending: the relay goes on to Withings (which is down here).
    const still = await relay.post('/api/auth/token', { code: CODE, state: timely }, cookie(latest))
    expect((await still.json()).error.code).toBe('upstream_unavailable')
    expect(relay.upstream).toHaveLength(1)
    relay.clock.advance(1_000)
    const expired = await relay.post(
      '/api/auth/token',
      { code: CODE, state: early },
      cookie(latest),
    )
    expect(expired.status).toBe(400)
    expect((await expired.json()).error.code).toBe('invalid_state')
    expect(relay.upstream).toHaveLength(1)
  })
})

describe('session cookies the relay sealed, in shapes it no longer trusts', () => {
  const now = Math.floor(Date.now() / 1000)
  const good = {
    v: 3,
    id: 'session-id',
    userid: '363',
    gen: 1,
    scope: 'user.metrics',
    accessToken: 'a'.repeat(40),
    accessExpiresAt: now + 3600,
    refreshAt: now + 3300,
    refreshToken: 'r'.repeat(40),
    loginAt: now,
    endsAt: now + 86_400,
  }

  test('the good shape opens (the control for the cases below)', async () => {
    const relay = relayAt()
    const sealed = await relay.sealer.seal(session.name, good, 86_400)
    const answer = await relay.post('/api/auth/session', {}, `${session.name}=${sealed}`)
    expect(answer.status).toBe(200)
    expect(await answer.json()).toMatchObject({ userid: '363', expires_at: now + 3600 })
  })

  test.each([
    [
      'the first format (no access token)',
      { v: 1, rt: 'r'.repeat(40), uid: '363', sc: '', iat: now },
    ],
    ['the format before sign-in numbers (2)', { ...good, v: 2, gen: undefined }],
    ['no version', { ...good, v: undefined }],
    ['a sign-in number that is text', { ...good, gen: '1' }],
    ['not an object', 'a session'],
    ['null', null],
    ['a user id that is a number', { ...good, userid: 363 }],
    ['an access token missing', { ...good, accessToken: undefined }],
    ['an expiry that is text', { ...good, accessExpiresAt: String(now + 3600) }],
    ['an expiry that is not whole', { ...good, refreshAt: now + 0.5 }],
    ['an end that is missing', { ...good, endsAt: undefined }],
  ])('%s: no session (204), and no call to Withings', async (_, value) => {
    const relay = relayAt()
    const sealed = await relay.sealer.seal(session.name, value, 86_400)
    const answer = await relay.post('/api/auth/session', {}, `${session.name}=${sealed}`)
    expect(answer.status).toBe(204)
    expect(relay.upstream).toEqual([])
  })
})

describe('the cookie policy', () => {
  test.each(['ftp://localhost', 'ws://127.0.0.1:3000'])(
    '%s is neither https nor http: refused',
    (origin) => {
      expect(() => cookiePolicy(origin)).toThrow(/serve it over https/)
    },
  )
})
