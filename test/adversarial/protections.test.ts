import { describe, expect, test, vi } from 'vitest'
import { createMemoryStore } from '../../relay/core/store/memory-store'
import type { SharedStore } from '../../relay/core/store/shared-store'
import { createRedisStore } from '../../relay/node/redis-store'
import { randomState } from '../../web/react/auth/random-state'
import { LOGIN_COOKIE, SESSION_COOKIE } from '../support/cookies'
import { startRedis } from '../support/redis'
import { fakeClock } from '../support/stack'
import { figuresFor, reportAttack } from './support/figures'
import { cookieValue, inProcessRelay } from './support/in-process-relay'
import { createLeakHunter } from './support/leak-hunter'

// What protects people, attacked where it is kept: revoke tickets replayed, the store filled,
// Redis paused mid-Disconnect, tokens too long for a cookie, and many real people behind one
// address. Each against the real relay and emulator with their real limits; each reports what
// the attacker achieved, and that no one else was hurt.

const madeUpCode = () => randomState().slice(0, 40).toLowerCase()
const alignedClock = () => fakeClock(Math.ceil(Date.now() / 600_000) * 600_000 + 1_000)
const ADA = { email: 'ada@example.com', password: 'ada-emulator' }
const GRACE = { email: 'grace@example.com', password: 'grace-emulator' }
const session = (value: string) => `${SESSION_COOKIE}=${value}`
/** Withings calls a minute the relay may make for revokes (a tenth of the default 100). */
const REVOKE_SHARE = 10

describe('attacks on what protects people', () => {
  test("revoke-ticket replays: 70 from one address reach Withings once, and other people's data calls go on", async ({
    task,
  }) => {
    const figures = figuresFor(task)
    const clock = alignedClock()
    const relay = await inProcessRelay({ realLimits: true, now: clock.now })
    const signed = () =>
      relay.emulator.requests.count({ route: 'signature' }) +
      relay.emulator.requests.count({ route: 'revoke' })
    const others = [await relay.genuineCookies(ADA), await relay.genuineCookies(GRACE)]
    const { session: ended } = await relay.genuineCookies()
    // Withings cannot be told at Disconnect: the page gets a ticket, and so does whoever copies it.
    relay.emulator.faults.inject({ type: 'http', status: 503 }, { on: 'token', times: 1 })
    const logout = await relay.post('/api/auth/logout', {}, session(ended))
    const { revoke_ticket: ticket } = await logout.json()
    expect(ticket).toEqual(expect.any(String))
    const before = { revokes: relay.emulator.requests.count({ route: 'revoke' }), signed: signed() }

    let freshTickets = 0
    let refused = 0
    let othersAnswered = 0
    let othersAsked = 0
    for (let replay = 0; replay < 70; replay++) {
      const answer = await relay.post('/api/auth/revoke', { ticket }, '', '203.0.113.66')
      if (answer.status >= 500) figures.crashes++
      const body = await answer.json()
      if (body.revoke_ticket !== undefined) freshTickets++
      if (answer.status !== 200) refused++
      if (replay % 10 === 0) {
        for (const [index, other] of others.entries()) {
          othersAsked++
          const read = await relay.post(
            '/api/withings/measure',
            { action: 'getmeas' },
            session(other.session),
            `192.0.2.${20 + index}`,
          )
          if (read.status === 200) othersAnswered++
        }
      }
    }
    const revokes = relay.emulator.requests.count({ route: 'revoke' }) - before.revokes
    reportAttack(task, 'revoke-ticket replays', {
      replays: 70,
      'revokes at Withings': revokes,
      'fresh tickets handed to replays': freshTickets,
      'refused by the relay': refused,
      "other people's data calls answered": `${othersAnswered} of ${othersAsked}`,
      'Withings calls beyond the caps': Math.max(0, signed() - before.signed - REVOKE_SHARE),
    })
    expect(revokes).toBe(1)
    expect(freshTickets).toBe(0)
    expect(refused).toBe(69)
    expect(othersAnswered).toBe(othersAsked)
    expect(figures.crashes).toBe(0)
  })

  test('a flood of 400 made-up sign-ins from 400 addresses leaves a small store room for real people', async ({
    task,
  }) => {
    const figures = figuresFor(task)
    const clock = alignedClock()
    // A store of 400 keys: the flood once filled it with a spent-state marker a request.
    const memory = createMemoryStore({ now: clock.now, maxKeys: 400 })
    let writes = 0
    const store: SharedStore = {
      ...memory,
      take: async (counters) => {
        const result = await memory.take(counters)
        if (result.taken) writes += counters.length
        return result
      },
      set: async (key, value, options) => {
        const stored = await memory.set(key, value, options)
        if (stored) writes++
        return stored
      },
    }
    const relay = await inProcessRelay({ realLimits: true, now: clock.now, store })
    const exchanges = () => relay.emulator.requests.count({ grantType: 'authorization_code' })
    const { session: earlier } = await relay.genuineCookies()
    const beforeWrites = writes
    const beforeExchanges = exchanges()

    const statuses = new Map<number, number>()
    for (let i = 0; i < 400; i++) {
      const peer = `198.51.${100 + (i >> 8)}.${i & 255}`
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
      if (answer.status >= 500) figures.crashes++
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1)
    }
    const floodWrites = writes - beforeWrites
    const reached = exchanges() - beforeExchanges

    // A minute on, a real person signs in, and the one connected before disconnects.
    clock.advance(60_000)
    const real = await relay.signIn('192.0.2.200', ADA)
    const logout = await relay.post('/api/auth/logout', {}, session(earlier))
    const copied = await relay.post('/api/auth/session', {}, session(earlier))
    if (real.status !== 200) figures.sessionsLost++
    reportAttack(task, 'store filling', {
      'made-up sign-ins': 400,
      'reached Withings': reached,
      'refused by the limits': (statuses.get(429) ?? 0) + (statuses.get(503) ?? 0),
      'store writes by the flood': floodWrites,
      'store size': 400,
      'real sign-in after': real.status === 200 ? 'succeeded' : `failed (${real.status})`,
      'Disconnect after': logout.status === 200 ? 'recorded' : `failed (${logout.status})`,
      'copied cookie after it': copied.status === 204 ? 'refused' : `worked (${copied.status})`,
      'Withings calls beyond the caps': Math.max(0, reached + 1 - 40),
    })
    // The exchanges' share (two fifths of 100 a minute) is all the flood gets, less the one
    // exchange of the person connected before it.
    expect(reached).toBe(39)
    expect(floodWrites).toBeLessThan(200)
    expect(real.status).toBe(200)
    expect(logout.status).toBe(200)
    expect(copied.status).toBe(204)
    expect(figures.crashes).toBe(0)
  }, 60_000)

  test('Redis paused during Disconnect: the page is told, the person stays connected, the retry completes it', async ({
    task,
  }) => {
    const figures = figuresFor(task)
    const redis = await startRedis()
    const store = createRedisStore({ url: redis.url, prefix: 'paused:', onError: () => {} })
    try {
      const relay = await inProcessRelay({ realLimits: true, store })
      const { session: live } = await relay.genuineCookies()
      const signed = () =>
        relay.emulator.requests.count({ route: 'signature' }) +
        relay.emulator.requests.count({ route: 'revoke' })
      const before = { signed: signed(), data: relay.emulator.requests.count({ route: 'data' }) }

      redis.pause()
      const stalled = await relay.post('/api/auth/logout', {}, session(live))
      const read = await relay.post('/api/withings/measure', { action: 'getmeas' }, session(live))
      const cleared = stalled.headers
        .getSetCookie()
        .some((line) => line.startsWith(`${SESSION_COOKIE}=;`))
      if (cleared) figures.sessionsLost++
      if (read.status >= 500) figures.crashes++
      const revokesWhilePaused = signed() - before.signed
      const dataWhilePaused = relay.emulator.requests.count({ route: 'data' }) - before.data
      redis.resume()
      // Paused past its socket timeout, the connection is made again: the page's retry comes later.
      await vi.waitFor(() => store.get('probe'), { timeout: 5_000, interval: 50 })

      const retried = await relay.post('/api/auth/logout', {}, session(live))
      const copied = await relay.post('/api/auth/session', {}, session(live))
      reportAttack(task, 'Redis paused', {
        'Disconnect while paused': `${stalled.status} ${(await stalled.json()).error?.code}`,
        'session cookie kept': cleared ? 'no' : 'yes',
        'data call while paused': read.status,
        'revoke calls while paused': revokesWhilePaused,
        'Disconnect retried after': retried.status === 200 ? 'recorded' : `${retried.status}`,
        'copied cookie after it': copied.status === 204 ? 'refused' : `worked (${copied.status})`,
        'Withings calls beyond the caps': 0,
      })
      expect(stalled.status).toBe(503)
      expect(cleared).toBe(false)
      expect(read.status).toBe(200)
      // Nothing was revoked while the end could not be recorded; the data call went through.
      expect(revokesWhilePaused).toBe(0)
      expect(dataWhilePaused).toBe(1)
      expect(retried.status).toBe(200)
      expect(copied.status).toBe(204)
    } finally {
      redis.resume()
      await store.close()
      await redis.stop()
    }
  })

  test('tokens too long for a cookie: refused in words, revoked at Withings, no cookie the browser would drop', async ({
    task,
  }) => {
    const figures = figuresFor(task)
    const hunter = createLeakHunter(figures)
    const results: string[] = []
    let overlong = 0
    let revoked = 0
    for (const length of [1_025, 1_500, 4_000, 20_000]) {
      const relay = await inProcessRelay({ tokenLength: length })
      const answer = await hunter.response(`${length}-character tokens`, await relay.signIn())
      for (const line of answer.headers.getSetCookie()) {
        if (new TextEncoder().encode(line).byteLength >= 4_096) overlong++
      }
      if (answer.status >= 500 && answer.status !== 502) figures.crashes++
      results.push((await answer.json()).error?.code)
      revoked += relay.emulator.requests.count({ route: 'revoke' })
      for (const line of relay.logs) hunter.log(`${length}`, line)
      hunter.secret('client secret', relay.config.clientSecret)
      hunter.secret('padding of a long token', 'a'.repeat(1_000))
    }
    const leaks = hunter.hunt()
    reportAttack(task, 'long tokens', {
      'token lengths tried': 4,
      refused: results.filter((code) => code === 'tokens_too_long').length,
      'grants revoked': revoked,
      'cookies of 4,096 bytes or more set': overlong,
      'Withings calls beyond the caps': 0,
    })
    expect(results).toEqual(Array(4).fill('tokens_too_long'))
    expect(revoked).toBe(4)
    expect(overlong).toBe(0)
    expect(leaks).toEqual([])
  })

  test('NAT sign-ins: twenty real people behind one address all sign in; its made-up codes stop at six', async ({
    task,
  }) => {
    const figures = figuresFor(task)
    const clock = alignedClock()
    const relay = await inProcessRelay({ realLimits: true, now: clock.now })
    const office = '203.0.113.7'
    let signedIn = 0
    for (let person = 0; person < 20; person++) {
      clock.advance(25_000)
      const answer = await relay.signIn(office)
      if (answer.status === 200) signedIn++
      else figures.sessionsLost++
    }
    const before = relay.emulator.requests.count({ grantType: 'authorization_code' })
    const refusals: string[] = []
    for (let attempt = 0; attempt < 10; attempt++) {
      const state = randomState()
      const login = cookieValue(
        await relay.post('/api/auth/login', { state }, '', office),
        LOGIN_COOKIE,
      )
      const answer = await relay.post(
        '/api/auth/token',
        { code: madeUpCode(), state },
        `${LOGIN_COOKIE}=${login}`,
        office,
      )
      refusals.push((await answer.json()).error?.code)
    }
    const reached = relay.emulator.requests.count({ grantType: 'authorization_code' }) - before

    // Where the runtime gives no address at all, real sign-ins are not one shared budget either.
    const addressless = await inProcessRelay({ realLimits: true, withoutAddress: true })
    let withoutAddress = 0
    for (let person = 0; person < 20; person++) {
      if ((await addressless.signIn()).status === 200) withoutAddress++
    }
    reportAttack(task, 'NAT sign-ins', {
      'real sign-ins from one address in ~8 minutes': `${signedIn} of 20`,
      'made-up codes from it': 10,
      'made-up codes that reached Withings': reached,
      'answered sign_ins_limited': refusals.filter((code) => code === 'sign_ins_limited').length,
      'real sign-ins without any address': `${withoutAddress} of 20`,
      'Withings calls beyond the caps': Math.max(0, reached - 6),
    })
    expect(signedIn).toBe(20)
    expect(reached).toBe(6)
    expect(refusals).toEqual([
      ...Array(6).fill('code_expired'),
      ...Array(4).fill('sign_ins_limited'),
    ])
    expect(withoutAddress).toBe(20)
  })
})
