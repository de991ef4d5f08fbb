import { afterEach, describe, expect, test } from 'vitest'
import { createSealer } from '../../relay/core/seal'
import { type ApiClient, createApiClient } from '../support/api-client'
import { deadUrl } from '../support/dead-url'
import { connect } from '../support/login'
import { fakeClock, RELAY_KEY, type Stack, startStack } from '../support/stack'

// The ticket a Disconnect gives when Withings could not be told: one revoke of the ended
// connection, once, and nothing else — not after Withings was told, not against the person's
// newer connection, not renewed by a replay, not handed out when the relay's own budget was the
// reason.

let stack: Stack
afterEach(() => stack?.close())

const revokes = () => stack.emulator.requests.count({ route: 'revoke' })

/** A seeded person other than the demo user (363), signing in with their own account. */
const ADA = { demo: false, email: 'ada@example.com', password: 'ada-emulator' }

/** A connected browser whose Disconnect could not reach Withings: its answer (with a ticket). */
async function disconnectedWithoutWithings(api = createApiClient(stack.appUrl)) {
  expect((await connect(stack, api, { scopes: ['user.info'] })).status).toBe(200)
  const cutOff = await stack.addRelay({ apiUrl: await deadUrl() })
  const answer = await api.post('/api/auth/logout', undefined, { base: cutOff })
  expect(answer.status).toBe(200)
  const result = await answer.json()
  expect(result).toEqual({ withings_informed: false, revoke_ticket: expect.any(String) })
  return { api, cutOff, ticket: result.revoke_ticket as string }
}

const redeem = (api: ApiClient, ticket: unknown, base?: string) =>
  api.post('/api/auth/revoke', { ticket }, base ? { base } : {})

async function refusal(answer: Response) {
  expect(answer.status).toBe(400)
  return (await answer.json()).error
}

describe('revoke tickets', () => {
  test('work once: the revoke reaches Withings, and the ticket is refused after', async () => {
    stack = await startStack()
    const { api, ticket } = await disconnectedWithoutWithings()
    const first = await redeem(api, ticket)
    expect(first.status).toBe(200)
    expect(await first.json()).toEqual({ withings_informed: true })
    expect(revokes()).toBe(1)

    const again = await refusal(await redeem(api, ticket))
    expect(again).toMatchObject({
      code: 'bad_request',
      message:
        "'ticket' was already used, or Withings was told since, or the person connected again.",
    })
    expect(revokes()).toBe(1)
  })

  test('a replay of a spent ticket is refused, never renewed, on any instance', async () => {
    stack = await startStack()
    const { api, cutOff, ticket } = await disconnectedWithoutWithings()
    // Its one use meets Withings unreachable again: that earns a fresh ticket, once.
    const used = await redeem(api, ticket, cutOff)
    expect(used.status).toBe(200)
    const { revoke_ticket: fresh } = await used.json()
    expect(fresh).toEqual(expect.any(String))
    expect(fresh).not.toBe(ticket)
    for (const base of [cutOff, stack.appUrl, cutOff]) {
      const replay = await redeem(api, ticket, base)
      expect((await refusal(replay)).code).toBe('bad_request')
    }
    expect(revokes()).toBe(0)
    // The fresh one still works, once.
    expect(await (await redeem(api, fresh)).json()).toEqual({ withings_informed: true })
    expect(revokes()).toBe(1)
  })

  test('a ticket never reaches the newer connection of the same person', async () => {
    stack = await startStack()
    const { api, ticket } = await disconnectedWithoutWithings()
    // The person connects again (the same Withings user, 363): a new grant.
    expect((await connect(stack, api, { scopes: ['user.info'] })).status).toBe(200)
    expect((await refusal(await redeem(api, ticket))).code).toBe('bad_request')
    expect(revokes()).toBe(0)
    expect((await api.post('/api/auth/session')).status).toBe(200)
  })

  test("when the relay's own budget is the reason, Disconnect hands out no ticket", async () => {
    // 10 calls a minute: revokes have 2 of them, one revoke.
    stack = await startStack({ relay: { withingsCallsPerMinute: 10 } })
    const first = createApiClient(stack.appUrl)
    const second = createApiClient(stack.appUrl)
    expect((await connect(stack, first, { scopes: ['user.info'] })).status).toBe(200)
    expect((await connect(stack, second, { scopes: ['user.info'], ...ADA })).status).toBe(200)
    expect(await (await first.post('/api/auth/logout')).json()).toEqual({
      withings_informed: true,
    })
    const busy = await second.post('/api/auth/logout')
    expect(busy.status).toBe(200)
    expect(await busy.json()).toEqual({ withings_informed: false, retry_after: expect.any(Number) })
    expect(revokes()).toBe(1)
  })

  test("a ticket the relay's own budget holds back stays good, unspent and not renewed", async () => {
    // 40 calls a minute: revokes have 4, two revokes (a revoke that failed counts too).
    stack = await startStack({ relay: { withingsCallsPerMinute: 40 } })
    const { api, ticket } = await disconnectedWithoutWithings()
    // Another person's Disconnect spends the rest of the revokes' share.
    const other = createApiClient(stack.appUrl)
    expect((await connect(stack, other, { scopes: ['user.info'], ...ADA })).status).toBe(200)
    expect(await (await other.post('/api/auth/logout')).json()).toEqual({
      withings_informed: true,
    })
    const held = await redeem(api, ticket)
    expect(held.status).toBe(429)
    expect((await held.json()).error.code).toBe('relay_busy')
    expect(revokes()).toBe(1)
  })

  test('a ticket held back by the budget is still good once the budget has room', async () => {
    const clock = fakeClock()
    stack = await startStack({ now: clock.now, relay: { withingsCallsPerMinute: 10 } })
    // Its Disconnect (Withings unreachable) spent the revokes' share of 10 calls a minute.
    const { api, ticket } = await disconnectedWithoutWithings()
    const held = await redeem(api, ticket)
    expect(held.status).toBe(429)
    clock.advance(2 * 60_000)
    expect(await (await redeem(api, ticket)).json()).toEqual({ withings_informed: true })
    expect((await refusal(await redeem(api, ticket))).code).toBe('bad_request')
    expect(revokes()).toBe(1)
  })

  test('only a ticket of at most 512 characters is opened', async () => {
    stack = await startStack()
    const { api, ticket } = await disconnectedWithoutWithings()
    // The relay's own ticket, padded (tests hold the key) to an exact length.
    const sealer = createSealer([RELAY_KEY])
    const purpose = 'withings-link revoke ticket'
    const fields = (await sealer.unseal(purpose, ticket))?.value as Record<string, unknown>
    const padded = async (length: number) => {
      for (let pad = 0; pad < 600; pad++) {
        const sealed = await sealer.seal(purpose, { ...fields, pad: 'x'.repeat(pad) }, 3600)
        if (sealed.length === length) return sealed
      }
      throw new Error(`no ticket of ${length} characters`)
    }
    // Base64url never makes 512 here: 511 is opened (and spent), 513 refused unopened.
    expect((await redeem(api, await padded(511))).status).toBe(200)
    expect(await refusal(await redeem(api, await padded(513)))).toMatchObject({
      message: "'ticket' must be the revoke ticket Disconnect gave, within the hour.",
    })
  })
})
