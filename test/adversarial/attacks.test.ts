import { describe, expect, test } from 'vitest'
import { randomState } from '../../web/react/auth/random-state'
import { LOGIN_COOKIE, SESSION_COOKIE } from '../support/cookies'
import { fakeClock } from '../support/stack'
import { figuresFor, reportAttack } from './support/figures'
import { cookieValue, inProcessRelay } from './support/in-process-relay'

// The attacks a review of the relay reproduced, each against the real relay and emulator with
// their real limits: what the attacker achieved, and that real people were not hurt by it.

const madeUpCode = () => randomState().slice(0, 40).toLowerCase()

/**
 * A clock that starts just after a ten-minute boundary: the budgets' sliding windows are aligned
 * on their length, and a flood that straddled a boundary would be counted across two windows.
 */
const alignedClock = () => fakeClock(Math.ceil(Date.now() / 600_000) * 600_000 + 1_000)

describe('attacks on the app and its people', () => {
  test("a flood of made-up codes from a handful of addresses cannot spend the app's Withings budget", async ({
    task,
  }) => {
    const figures = figuresFor(task)
    const clock = alignedClock()
    const relay = await inProcessRelay({ realLimits: true, now: clock.now })
    const exchanges = () => relay.emulator.requests.count({ grantType: 'authorization_code' })
    // A person connected hours before the flood, whose session falls due for a refresh during it.
    const { session } = await relay.genuineCookies()
    clock.advance(3 * 3600_000 - 300_000 - 30_000)
    const before = exchanges()

    const attackers = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '203.0.113.9', '192.0.2.77']
    let sent = 0
    let refused = 0
    let real: Response | undefined
    let refreshed: Response | undefined
    // Each attacker binds a state of its own and posts a made-up code with it, as fast as the
    // relay lets it, for a minute. Halfway, a real person logs in from their own address, and the
    // earlier session, due by then, refreshes.
    for (let second = 0; second < 60; second++) {
      clock.advance(1_000)
      if (second === 30) {
        const state = randomState()
        const bound = await relay.post('/api/auth/login', { state }, '', '192.0.2.200')
        const cookie = `${LOGIN_COOKIE}=${cookieValue(bound, LOGIN_COOKIE)}`
        const code = await relay.codeFor(state)
        real = await relay.post('/api/auth/token', { code, state }, cookie, '192.0.2.200')
        refreshed = await relay.post('/api/auth/session', {}, `${SESSION_COOKIE}=${session}`)
      }
      for (const peer of attackers) {
        const state = randomState()
        const bound = await relay.post('/api/auth/login', { state }, '', peer)
        if (bound.status !== 204) {
          refused++
          continue
        }
        const login = cookieValue(bound, LOGIN_COOKIE)
        const answer = await relay.post(
          '/api/auth/token',
          { code: madeUpCode(), state },
          `${LOGIN_COOKIE}=${login}`,
          peer,
        )
        sent++
        if (answer.status >= 500) figures.crashes++
        if (answer.status === 429) refused++
      }
    }
    // Less the real person's own exchange.
    const reached = exchanges() - before - 1

    reportAttack(task, 'made-up-code flood', {
      addresses: attackers.length,
      'token requests sent': sent,
      'refused by the relay': refused,
      'reached Withings': reached,
      'real login during it': real?.status === 200 ? 'succeeded' : `failed (${real?.status})`,
      'refresh during it':
        refreshed?.status === 200 ? 'succeeded' : `failed (${refreshed?.status})`,
    })
    expect(relay.emulator.requests.count({ grantType: 'refresh_token' })).toBe(1)
    expect(sent).toBeGreaterThan(100)
    // Six a client address per ten minutes: a person needs one or two.
    expect(reached).toBe(6 * attackers.length)
    expect(real?.status).toBe(200)
    expect(refreshed?.status).toBe(200)
    expect(figures.crashes).toBe(0)
  }, 60_000)

  test('one IPv6 site is one sign-in budget, however many /64s it holds', async ({ task }) => {
    const relay = await inProcessRelay({ realLimits: true, now: alignedClock().now })
    const exchanges = () => relay.emulator.requests.count({ grantType: 'authorization_code' })
    let limited = 0
    for (let subnet = 0; subnet < 40; subnet++) {
      const peer = `2001:db8:77:${subnet.toString(16)}::1`
      const state = randomState()
      const login = cookieValue(
        await relay.post('/api/auth/login', { state }, '', peer),
        LOGIN_COOKIE,
      )
      const answer = await relay.post(
        '/api/auth/token',
        { code: madeUpCode(), state },
        `${LOGIN_COOKIE}=${login}`,
        peer,
      )
      if (answer.status === 429) limited++
    }
    reportAttack(task, 'IPv6 /64 rotation in one /48', {
      '/64 networks': 40,
      'reached Withings': exchanges(),
      'refused by the relay': limited,
    })
    expect(exchanges()).toBe(6)
    expect(limited).toBe(34)
  })

  test('a state is spent once: a login cookie kept from before the exchange lets no second code through', async ({
    task,
  }) => {
    const relay = await inProcessRelay({ realLimits: true })
    const exchanges = () => relay.emulator.requests.count({ grantType: 'authorization_code' })
    const state = randomState()
    const keptCookie = cookieValue(await relay.post('/api/auth/login', { state }), LOGIN_COOKIE)
    const first = await relay.post(
      '/api/auth/token',
      { code: await relay.codeFor(state), state },
      `${LOGIN_COOKIE}=${keptCookie}`,
    )
    expect(first.status).toBe(200)
    let accepted = 0
    const replays = 5
    for (let i = 0; i < replays; i++) {
      const replay = await relay.post(
        '/api/auth/token',
        { code: await relay.codeFor(state), state },
        `${LOGIN_COOKIE}=${keptCookie}`,
      )
      if (replay.status === 200) accepted++
      expect((await replay.json()).error.code).toBe('invalid_state')
    }
    reportAttack(task, 'replayed states', {
      replays,
      accepted,
      'reached Withings': exchanges() - 1,
    })
    expect(accepted).toBe(0)
    expect(exchanges()).toBe(1)
  })

  test('after Disconnect, a copy of the session cookie opens nothing', async ({ task }) => {
    const relay = await inProcessRelay({ realLimits: true })
    const { session } = await relay.genuineCookies()
    const cookie = `${SESSION_COOKIE}=${session}`
    expect((await relay.post('/api/auth/session', {}, cookie)).status).toBe(200)
    const logout = await relay.post('/api/auth/logout', {}, cookie)
    expect(await logout.json()).toEqual({ withings_informed: true })

    const tries = [
      await relay.post('/api/auth/session', {}, cookie),
      await relay.post('/api/withings/measure', { action: 'getmeas' }, cookie),
      await relay.post('/api/withings/v2/heart', { action: 'list' }, cookie),
    ]
    const worked = tries.filter((answer) => answer.status === 200).length
    const [restored, ...reads] = tries
    reportAttack(task, 'copied cookie after Disconnect', {
      tries: tries.length,
      worked,
      'Withings revoked': 'yes',
    })
    expect(worked).toBe(0)
    expect(restored?.status).toBe(204)
    for (const answer of reads) expect((await answer.json()).error.code).toBe('session_expired')
  })

  test('a flood of made-up route names is refused before the limiter, and pushes out no one', async ({
    task,
  }) => {
    const relay = await inProcessRelay({ realLimits: true, now: alignedClock().now })
    const peer = '198.51.100.50'
    let allowed = 0
    while ((await relay.post('/api/auth/logout', {}, '', peer)).status !== 429) allowed++
    const flood = 10_000
    let notFound = 0
    for (let i = 0; i < flood; i++) {
      const answer = await relay.post(`/api/f${i}/x`, {}, '', `203.0.113.${i % 250}`)
      if (answer.status === 404) notFound++
    }
    const stillLimited = (await relay.post('/api/auth/logout', {}, '', peer)).status === 429
    reportAttack(task, 'route-name flood', {
      requests: flood,
      'answered 404': notFound,
      'real client still limited': stillLimited ? 'yes' : 'no',
    })
    expect(allowed).toBe(60)
    expect(notFound).toBe(flood)
    expect(stillLimited).toBe(true)
  }, 60_000)
})
