import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import type { ErrorCode } from '../../relay/contract/wire-contract'
import type { Fault } from '../../relay/emulator/emulator'
import { createApiClient } from '../support/api-client'
import { SESSION_COOKIE } from '../support/cookies'
import { deadUrl } from '../support/dead-url'
import { connect, startLogin } from '../support/login'
import { fakeClock, type Stack, startStack } from '../support/stack'
import { type Figures, figuresFor } from './support/figures'

// Every way Withings (or the road to it) can fail, switched on at the emulator, against the
// code exchange and the refresh: each gives its own clear code, the relay stays up, and a
// session cookie is never cleared by a passing fault (only Withings refusing the refresh token
// ends a session).

const DEADLINE_MS = 300

interface Case {
  name: string
  /** The emulator's switch; none means Withings cannot be reached at all. */
  fault?: Fault
  code: ErrorCode
  retryAfter?: number
}

const CASES: Case[] = [
  { name: 'slower than the deadline', fault: { type: 'delay', ms: 800 }, code: 'upstream_timeout' },
  { name: 'HTTP 500', fault: { type: 'http', status: 500 }, code: 'upstream_unavailable' },
  { name: 'HTTP 502', fault: { type: 'http', status: 502 }, code: 'upstream_unavailable' },
  {
    name: 'status 522 (timeout)',
    fault: { type: 'status', status: 522 },
    code: 'upstream_timeout',
  },
  {
    name: 'status 524 (bad state)',
    fault: { type: 'status', status: 524 },
    code: 'upstream_unavailable',
  },
  {
    name: 'status 601 (too many requests)',
    fault: { type: 'status', status: 601, body: { wait_seconds: 37 } },
    code: 'rate_limited',
    retryAfter: 37,
  },
  { name: 'a body that is not JSON', fault: { type: 'broken-json' }, code: 'upstream_unavailable' },
  { name: 'a truncated body', fault: { type: 'truncated' }, code: 'upstream_unavailable' },
  { name: 'a reset connection', fault: { type: 'reset' }, code: 'upstream_unavailable' },
  { name: 'an unreachable Withings', code: 'upstream_unavailable' },
]

let stack: Stack
let unhandled: unknown[]
const onUnhandled = (reason: unknown) => unhandled.push(reason)
beforeEach(() => {
  unhandled = []
  process.on('unhandledRejection', onUnhandled)
})
afterEach(async () => {
  process.off('unhandledRejection', onUnhandled)
  await stack?.close()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('upstream faults: a clear code, the relay up, the session kept', () => {
  test.for(CASES)('$name', async ({ fault, code, retryAfter }, { task }) => {
    const figures = figuresFor(task)
    const clock = fakeClock()
    stack = await startStack({ now: clock.now })
    const api = createApiClient(stack.appUrl)
    // The relay the browser talks to while the fault is on: another instance (same keys, so it
    // reads the same cookies) with a short deadline, or whose Withings is unreachable. The calm
    // steps keep the default deadline, so a busy machine cannot time them out.
    const faulty = await stack.addRelay(
      fault ? { upstreamTimeoutMs: DEADLINE_MS } : { apiUrl: await deadUrl() },
    )
    const arm = () => {
      if (fault) stack.emulator.faults.inject(fault, { on: 'token' })
      figures.faults++
    }
    const disarm = async () => {
      stack.emulator.faults.clear()
      // A delayed request still completes at the emulator; let it land before time moves on.
      if (fault?.type === 'delay') await sleep(fault.ms + 100)
      clock.advance(11_000) // past Withings' "same arguments in less than 10 seconds"
    }

    const connected = await connect(stack, api)
    expect(connected.status).toBe(200)
    const { refresh_at: refreshAt } = await connected.json()
    const session = api.jar.get(SESSION_COOKIE)

    // 1. A code exchange while the fault is on (say, reconnecting with another account).
    const login = await startLogin(stack, api)
    arm()
    const exchange = await api.post('/api/auth/token', login.body, { base: faulty })
    await expectFailure(exchange, { code, retryAfter }, figures)
    await expectAlive(figures, faulty)
    await disarm()

    // 2. A refresh while the fault is on: a reload once the access token is due for one.
    clock.advance(refreshAt * 1000 - clock.now())
    arm()
    const refresh = await api.post('/api/auth/session', undefined, { base: faulty })
    await expectFailure(refresh, { code, retryAfter }, figures)
    await expectAlive(figures, faulty)
    const touched = [exchange, refresh].some((answer) =>
      answer.headers.getSetCookie().some((line) => line.startsWith(`${SESSION_COOKIE}=`)),
    )
    if (touched || api.jar.get(SESSION_COOKIE) !== session) figures.sessionsLost++
    await disarm()

    // 3. Once Withings is back, the very same session refreshes.
    const later = await api.post('/api/auth/session')
    if (later.status !== 200) figures.sessionsLost++

    figures.crashes += unhandled.length
    expect({ crashes: figures.crashes, sessionsLost: figures.sessionsLost }).toEqual({
      crashes: 0,
      sessionsLost: 0,
    })
    expect(figures.faults).toBe(2)
  })

  test("Withings' own 601 (over 120 calls of the app a minute, here 8): rate_limited with its wait, session kept", async ({
    task,
  }) => {
    const figures = figuresFor(task)
    const clock = fakeClock()
    // The exchange and the notification subscriptions after it (a list, four subscribes), then
    // two reads: the third read is the ninth call.
    stack = await startStack({ now: clock.now, emulator: { requestsPerMinute: 8 } })
    const api = createApiClient(stack.appUrl)
    expect((await connect(stack, api)).status).toBe(200)
    const read = () => api.post('/api/withings/v2/heart', { action: 'list' })
    for (const _ of [1, 2]) {
      clock.advance(11_000)
      expect((await read()).status).toBe(200)
    }
    clock.advance(11_000)
    const session = api.jar.get(SESSION_COOKIE)
    const limited = await read()
    figures.faults++
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('27')
    expect((await limited.json()).error).toMatchObject({ code: 'rate_limited', retry_after: 27 })
    if (limited.headers.getSetCookie().length > 0 || api.jar.get(SESSION_COOKIE) !== session) {
      figures.sessionsLost++
    }
    clock.advance(27_000)
    if ((await read()).status !== 200) figures.sessionsLost++
    expect(figures.sessionsLost).toBe(0)
  })
})

async function expectFailure(
  answer: Response,
  expected: { code: ErrorCode; retryAfter?: number | undefined },
  figures: Figures,
) {
  const body = await answer.json()
  expect(body.error.code).toBe(expected.code)
  expect(body.error.retryable).toBe(true)
  if (expected.retryAfter !== undefined) {
    expect(answer.headers.get('retry-after')).toBe(String(expected.retryAfter))
    expect(body.error.retry_after).toBe(expected.retryAfter)
  }
  if (answer.status === 500) figures.crashes++
}

async function expectAlive(figures: Figures, ...bases: string[]) {
  for (const base of new Set([stack.appUrl, ...bases])) {
    const health = await fetch(`${base}/api/healthz`).catch(() => undefined)
    if (health?.status !== 200) figures.crashes++
  }
}
