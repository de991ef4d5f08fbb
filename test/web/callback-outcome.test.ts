import { describe, expect, test } from 'vitest'
import {
  hasCallbackSecrets,
  parseCallbackParams,
  safeReturnTo,
} from '../../web/react/auth/callback-params'
import { completeLogin } from '../../web/react/auth/complete-login'
import { createPendingLogins } from '../../web/react/auth/pending-logins'
import { RelayRequestError } from '../../web/react/auth/relay-client'
import { fakeRelay, SESSION } from '../support/fake-relay'

// What the callback URL leads to, as WithingsCallback reads it: the address Withings sent the
// person back to, the tab's pending logins, and the relay's exchange. The page shows the outcome
// (callback-page.test.tsx says how); this table says which outcome each address earns.

const STATE = 'S'.repeat(43)
const RETURN_TO = '/dashboard?range=week'

function finish(search: string, { createdAt = Date.now(), relay = fakeRelay() } = {}) {
  const pendingLogins = createPendingLogins(sessionStorage)
  pendingLogins.save({ state: STATE, createdAt, returnTo: RETURN_TO, scopes: [], demo: false })
  return {
    relay,
    pendingLogins,
    outcome: completeLogin(parseCallbackParams(search), { pendingLogins, relay }),
  }
}

const failed = (problem: string, returnTo = RETURN_TO) => ({ kind: 'failed', problem, returnTo })

describe('the outcome of a callback address', () => {
  test.each([
    ['a code and its state', `?code=the-code&state=${STATE}`],
    ['a code of 512 characters', `?code=${'c'.repeat(512)}&state=${STATE}`],
    ['other parameters beside them', `?code=the-code&state=${STATE}&from=withings`],
  ])('%s: exchanged, and back where the person started', async (_, search) => {
    const { outcome, relay } = finish(search)
    expect(await outcome).toEqual({ kind: 'connected', session: SESSION, returnTo: RETURN_TO })
    expect(relay.exchange).toHaveBeenCalledWith(new URLSearchParams(search).get('code'), STATE)
  })

  test.each([
    ['nothing at all', ''],
    ['a code without a state', '?code=the-code'],
    ['a state without a code', `?state=${STATE}`],
    ['an empty code', `?code=&state=${STATE}`],
    ['two codes', `?code=one&code=two&state=${STATE}`],
    ['two states', `?code=the-code&state=${STATE}&state=${STATE}`],
    ['a code of 513 characters', `?code=${'c'.repeat(513)}&state=${STATE}`],
  ])('%s: no sign-in result, home, and no exchange', async (_, search) => {
    const { outcome, relay } = finish(search)
    expect(await outcome).toEqual(failed('missing_callback', '/'))
    expect(relay.exchange).not.toHaveBeenCalled()
  })

  // The state named is used up all the same: a Deny cannot be followed by a code for it.
  test.each([
    ['Deny', `?error=access_denied&state=${STATE}`, failed('access_denied'), 'unknown'],
    ['another error', `?error=invalid_scope&state=${STATE}`, failed('authorize_error'), 'unknown'],
    [
      'an error and a code',
      `?error=access_denied&code=c&state=${STATE}`,
      failed('access_denied'),
      'unknown',
    ],
    ['an error, no state', '?error=access_denied', failed('access_denied', '/'), 'found'],
    [
      'an error, a stranger state',
      '?error=access_denied&state=T',
      failed('access_denied', '/'),
      'found',
    ],
  ])(
    '%s: that problem and no exchange; the pending login is then %s',
    async (_, search, expected, afterwards) => {
      const { outcome, relay, pendingLogins } = finish(search)
      expect(await outcome).toEqual(expected)
      expect(relay.exchange).not.toHaveBeenCalled()
      expect(pendingLogins.take(STATE).status).toBe(afterwards)
    },
  )

  test('a state this tab did not start fails closed, home', async () => {
    const { outcome, relay } = finish(`?code=the-code&state=${'T'.repeat(43)}`)
    expect(await outcome).toEqual(failed('state_unknown', '/'))
    expect(relay.exchange).not.toHaveBeenCalled()
  })

  test('a state older than 10 minutes fails closed, back where the person started', async () => {
    const { outcome, relay } = finish(`?code=the-code&state=${STATE}`, {
      createdAt: Date.now() - 10 * 60_000,
    })
    expect(await outcome).toEqual(failed('state_expired'))
    expect(relay.exchange).not.toHaveBeenCalled()
  })

  test("the relay refusing the code: its problem and Withings' wait", async () => {
    const relay = fakeRelay({
      exchange: async () => {
        throw new RelayRequestError('rate_limited', 'slow down', { retryAfter: 3 })
      },
    })
    const { outcome } = finish(`?code=the-code&state=${STATE}`, { relay })
    expect(await outcome).toEqual({ ...failed('rate_limited'), retryAfter: 3 })
  })

  test('an exchange failing in a way no relay answer explains is an unexpected response', async () => {
    const relay = fakeRelay({
      exchange: async () => {
        throw new TypeError('a bug in a custom relay client')
      },
    })
    const { outcome } = finish(`?code=the-code&state=${STATE}`, { relay })
    expect(await outcome).toEqual(failed('unexpected_response'))
  })
})

describe('what must leave the address bar', () => {
  test.each([
    ['?code=the-code', true],
    ['?state=the-state', true],
    ['?error=access_denied', true],
    ['?from=start&code=', true],
    ['?from=start', false],
    ['', false],
  ])('%s: %s', (search, secret) => {
    expect(hasCallbackSecrets(search)).toBe(secret)
  })
})

describe('where a pending login may send the person back (never another site)', () => {
  test.each([
    [RETURN_TO, RETURN_TO],
    ['/dashboard?range=week#sleep', '/dashboard?range=week#sleep'],
    ['/a/../b', '/b'],
    [undefined, '/'],
    ['', '/'],
    ['dashboard', '/'],
    ['https://evil.example/steal', '/'],
    ['//evil.example/steal', '/'],
    ['/\\evil.example/steal', '/'],
    ['/\t/evil.example/steal', '/'],
    ['//', '/'],
    ['/.//evil.example', '/'],
    ['/a/..//evil.example', '/'],
  ])('%j: %j', (returnTo, safe) => {
    expect(safeReturnTo(returnTo)).toBe(safe)
  })
})
