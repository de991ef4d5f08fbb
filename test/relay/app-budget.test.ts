import { describe, expect, test } from 'vitest'
import { RelayError } from '../../relay/core/errors'
import type { LogLine } from '../../relay/core/http/request-log'
import { type AppBudget, createAppBudget } from '../../relay/core/limits/app-budget'
import { createMemoryStore } from '../../relay/core/store/memory-store'
import { type SharedStore, StoreUnavailable } from '../../relay/core/store/shared-store'
import { fakeClock } from '../support/stack'

// The app's Withings budget where its numbers take effect: the shares of each kind of call
// (docs/security.md, "The app's Withings budget"), the refused-exchange limits, and what happens
// while the shared store is away.

/** A minute boundary, so that counts are not weighed across two windows. */
const START = 1_800_000_000_000

function budgetOn(
  perMinute: number,
  { store, exchangesPerClient = 6 }: { store?: SharedStore; exchangesPerClient?: number } = {},
) {
  const clock = fakeClock(START)
  const logs: LogLine[] = []
  const budget = createAppBudget({
    store: store ?? createMemoryStore({ now: clock.now }),
    perMinute,
    exchangesPerClient,
    now: clock.now,
    log: (line) => logs.push(line),
  })
  return { budget, clock, logs }
}

/** How many of `tries` calls of `take` the budget allows, and the code of its first refusal. */
async function allowed(take: () => Promise<unknown>, tries = 200) {
  let count = 0
  let refusal: RelayError | undefined
  for (let i = 0; i < tries; i++) {
    try {
      await take()
      count++
    } catch (error) {
      if (!(error instanceof RelayError)) throw error
      refusal ??= error
    }
  }
  return { count, code: refusal?.code, retryAfter: refusal?.retryAfter, message: refusal?.message }
}

const data = (budget: AppBudget) => () => budget.take('data')

/**
 * How many calls of `take` the budget allows over the minute from START, for the calls no person
 * waits for, which are paced: as many as it allows at the end of each six seconds to come.
 */
async function overTheMinute(clock: ReturnType<typeof fakeClock>, take: () => Promise<unknown>) {
  let count = 0
  for (let slice = 0; slice < 10; slice++) {
    const end = START + slice * 6_000 + 5_999
    if (end < clock.now()) continue
    clock.advance(end - clock.now())
    count += (await allowed(take, 50)).count
  }
  return count
}

describe('the shares of the app budget', () => {
  test('data calls: two fifths of it, then relay_busy in the relay’s own words', async () => {
    const { budget } = budgetOn(100)
    expect(await allowed(data(budget))).toEqual({
      count: 40,
      code: 'relay_busy',
      retryAfter: 61,
      message: 'The app is making as many calls to Withings as it may just now: wait a moment.',
    })
  })

  test('code exchanges: two fifths of it', async () => {
    const { budget } = budgetOn(100, { exchangesPerClient: 1_000 })
    const exchange = async () => (await budget.takeExchange('198.51.100.1')).notRefused()
    expect((await allowed(exchange)).count).toBe(40)
  })

  test('revokes (two calls each, signed): a tenth; notification calls: a fifth', async () => {
    const { budget, clock } = budgetOn(100)
    expect((await allowed(() => budget.take('revoke', 2))).count).toBe(5)
    expect(await overTheMinute(clock, () => budget.take('notify'))).toBe(20)
    // Together three tenths at most: data calls keep their two fifths.
    expect((await allowed(data(budget))).count).toBe(40)
    expect((await allowed(() => budget.take('refresh'))).count).toBe(100 - 10 - 20 - 40)
  })

  test("the sync's calls and the notification calls: only while the whole budget is under four fifths", async () => {
    const { budget, clock } = budgetOn(100, { exchangesPerClient: 1_000 })
    const exchange = async () => (await budget.takeExchange('198.51.100.1')).notRefused()
    // A crowd signs in (30 exchanges), then imports and subscriptions take what they may: 50.
    expect((await allowed(exchange, 30)).count).toBe(30)
    expect(await overTheMinute(clock, () => budget.take('sync'))).toBe(50)
    expect((await allowed(() => budget.take('notify'))).count).toBe(0)
    // The next sign-ins find the last fifth.
    expect((await allowed(exchange)).count).toBe(10)
    expect((await allowed(() => budget.take('refresh'))).count).toBe(10)
  })

  test("the sync's calls are paced: a tenth of their minute each six seconds, not all at once", async () => {
    const { budget, clock } = budgetOn(1_000)
    expect((await allowed(() => budget.take('sync'), 1_000)).count).toBe(80)
    clock.advance(5_999)
    expect((await allowed(() => budget.take('sync'))).count).toBe(0)
    clock.advance(6_000)
    expect((await allowed(() => budget.take('sync'))).count).toBe(80)
  })

  test('or, on a small budget, a whole import of a year at once', async () => {
    const { budget } = budgetOn(100)
    expect((await allowed(() => budget.take('sync'))).count).toBe(30)
  })

  test('refreshes have no share of their own: only the whole budget stops them', async () => {
    const { budget } = budgetOn(100)
    expect((await allowed(() => budget.take('refresh'))).count).toBe(100)
    expect((await allowed(data(budget))).count).toBe(0)
  })

  test('a call the whole budget refuses does not spend its share', async () => {
    const { budget, clock } = budgetOn(10)
    expect((await allowed(() => budget.take('refresh'))).count).toBe(10)
    // A hundred data calls meet the full budget and are refused…
    expect((await allowed(data(budget), 100)).count).toBe(0)
    // …halfway into the next minute, the 10 refreshes weigh 5: the data share (4) is whole.
    clock.advance(90_000)
    expect((await allowed(data(budget))).count).toBe(4)
  })

  test('a signed call counts its two calls at once, or none', async () => {
    const { budget } = budgetOn(10)
    // Revokes: a tenth of 10 is 1, raised to the 2 calls one revoke needs.
    expect((await allowed(() => budget.take('revoke', 2))).count).toBe(1)
    for (let i = 0; i < 7; i++) await budget.take('refresh')
    // 9 of 10 counted: one more call fits, a signed refresh (two) does not.
    await expect(budget.take('refresh', 2)).rejects.toMatchObject({ code: 'relay_busy' })
    await budget.take('refresh')
  })
})

describe('refused code exchanges, against the address that asked', () => {
  test('an exchange Withings did not refuse is given back: an office behind one address signs in all day', async () => {
    const { budget } = budgetOn(100)
    for (let person = 0; person < 30; person++) {
      const counted = await budget.takeExchange('203.0.113.7')
      await counted.notRefused()
    }
  })

  test('six refused exchanges from one address in ten minutes, then sign_ins_limited for it alone', async () => {
    const { budget, clock } = budgetOn(100)
    const refused = await allowed(() => budget.takeExchange('198.51.100.9'), 20)
    expect(refused).toEqual({
      count: 6,
      code: 'sign_ins_limited',
      retryAfter: 601,
      message:
        'Too many sign-ins from this network were refused by Withings: wait before connecting again.',
    })
    expect((await allowed(() => budget.takeExchange('198.51.100.10'), 1)).count).toBe(1)
    clock.advance(10 * 60_000 + 1_000)
    expect((await allowed(() => budget.takeExchange('198.51.100.9'), 1)).count).toBe(1)
  })

  test('without an address, refused exchanges are capped app-wide at a fifth of the budget a minute, and real ones never count', async () => {
    const { budget, clock } = budgetOn(100)
    for (let person = 0; person < 30; person++) {
      await (await budget.takeExchange(undefined)).notRefused()
    }
    // Once the exchanges' share no longer weighs those 30:
    clock.advance(2 * 60_000)
    const refused = await allowed(() => budget.takeExchange(undefined), 50)
    expect(refused.count).toBe(20)
    expect(refused.code).toBe('sign_ins_limited')
    expect(refused.message).toBe(
      'Too many sign-ins were refused by Withings just now: wait a minute before connecting again.',
    )
    // A minute later the cap has room again: it cannot keep everyone out for long.
    clock.advance(2 * 60_000)
    expect((await allowed(() => budget.takeExchange(undefined), 1)).count).toBe(1)
  })
})

describe('while the shared store is away', () => {
  const away: SharedStore = new Proxy(createMemoryStore(), {
    get: (target, name) =>
      name === 'take' || name === 'refund'
        ? async () => {
            throw new StoreUnavailable('Redis is unreachable.')
          }
        : Reflect.get(target, name),
  })

  test('the budget is counted in this instance’s memory, not switched off', async () => {
    const { budget, logs } = budgetOn(100, { store: away })
    expect((await allowed(data(budget))).count).toBe(40)
    expect((await allowed(() => budget.take('refresh'))).count).toBe(60)
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        msg: "app budget counted in this instance's memory",
        cause: 'StoreUnavailable store_unavailable',
      }),
    )
  })

  test('refused exchanges too, and what Withings did not refuse is given back there', async () => {
    const { budget } = budgetOn(100, { store: away })
    for (let i = 0; i < 10; i++) await (await budget.takeExchange('198.51.100.1')).notRefused()
    expect((await allowed(() => budget.takeExchange('198.51.100.1'), 10)).count).toBe(6)
  })
})
