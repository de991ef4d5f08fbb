import { describe, expect, test } from 'vitest'
import { createPendingLogins, type PendingLogin } from '../../web/react/auth/pending-logins'

const KEY = 'withings-link:pending-logins'

const login = (state: string, createdAt: number): PendingLogin => ({
  state,
  createdAt,
  returnTo: '/dashboard',
  scopes: ['user.metrics'],
  demo: false,
})

describe('pending logins in sessionStorage', () => {
  test('a state is found once, then never again (single use)', () => {
    const logins = createPendingLogins(sessionStorage, () => 1_000)
    logins.save(login('state-a', 1_000))
    expect(logins.take('state-a')).toEqual({ status: 'found', login: login('state-a', 1_000) })
    expect(logins.take('state-a')).toEqual({ status: 'unknown' })
  })

  test('several pending logins coexist and each is found by its own state', () => {
    const logins = createPendingLogins(sessionStorage, () => 5_000)
    logins.save(login('first', 1_000))
    logins.save(login('second', 2_000))
    logins.save(login('third', 3_000))
    expect(logins.take('second').status).toBe('found')
    expect(logins.take('first').status).toBe('found')
    expect(logins.take('third').status).toBe('found')
  })

  test('expires after 10 minutes: reported as expired, not found', () => {
    let now = 0
    const logins = createPendingLogins(sessionStorage, () => now)
    logins.save(login('old', 0))
    now = 10 * 60_000 - 1
    logins.save(login('young', now))
    now = 10 * 60_000
    expect(logins.take('old').status).toBe('expired')
    expect(logins.take('young').status).toBe('found')
  })

  test('a new save drops entries older than 10 minutes', () => {
    let now = 0
    const logins = createPendingLogins(sessionStorage, () => now)
    logins.save(login('old', 0))
    now = 11 * 60_000
    logins.save(login('new', now))
    expect(JSON.parse(sessionStorage.getItem(KEY) ?? '[]')).toHaveLength(1)
  })

  test('a near-miss state does not match', () => {
    const logins = createPendingLogins(sessionStorage, () => 0)
    logins.save(login('abcdef', 0))
    expect(logins.take('abcdeF').status).toBe('unknown')
    expect(logins.take('abcde').status).toBe('unknown')
    expect(logins.take('abcdef').status).toBe('found')
  })

  test('the last login taken leaves nothing behind in the tab', () => {
    const logins = createPendingLogins(sessionStorage, () => 0)
    logins.save(login('only', 0))
    expect(sessionStorage.getItem(KEY)).not.toBeNull()
    expect(logins.take('only').status).toBe('found')
    expect(sessionStorage.getItem(KEY)).toBeNull()
  })

  // Each entry is checked field by field: one that is not a whole pending login is dropped, and
  // the others beside it still count.
  test.each([
    ['null', null],
    ['a string', 'x'],
    ['a number state', { ...login('x', 0), state: 7 }],
    ['a text createdAt', { ...login('x', 0), createdAt: '0' }],
    ['no returnTo', { ...login('x', 0), returnTo: undefined }],
    ['scopes as text', { ...login('x', 0), scopes: 'user.metrics' }],
    ['a scope that is no text', { ...login('x', 0), scopes: ['user.metrics', 1] }],
    ['a text demo', { ...login('x', 0), demo: 'false' }],
  ])(
    'a stored entry that is no whole login (%s) is ignored; its neighbours are not',
    (_, entry) => {
      sessionStorage.setItem(KEY, JSON.stringify([entry, login('ok', 0)]))
      const logins = createPendingLogins(sessionStorage, () => 0)
      expect(logins.take('x').status).toBe('unknown')
      expect(logins.take('7').status).toBe('unknown')
      expect(logins.take('ok').status).toBe('found')
    },
  )

  test.each([
    ['not JSON', '{not json'],
    ['JSON of no list', JSON.stringify(login('ok', 0))],
  ])('storage holding %s counts as no pending login', (_, raw) => {
    sessionStorage.setItem(KEY, raw)
    expect(createPendingLogins(sessionStorage, () => 0).take('ok').status).toBe('unknown')
  })
})
