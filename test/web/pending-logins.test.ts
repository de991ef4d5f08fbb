import { describe, expect, test } from 'vitest'
import { createPendingLogins, type PendingLogin } from '../../web/link/auth/pending-logins'

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
    expect(JSON.parse(sessionStorage.getItem('withings-link:pending-logins') ?? '[]')).toHaveLength(
      1,
    )
  })

  test('a near-miss state does not match', () => {
    const logins = createPendingLogins(sessionStorage, () => 0)
    logins.save(login('abcdef', 0))
    expect(logins.take('abcdeF').status).toBe('unknown')
    expect(logins.take('abcde').status).toBe('unknown')
    expect(logins.take('abcdef').status).toBe('found')
  })

  test('garbage in storage is ignored, not trusted', () => {
    sessionStorage.setItem(
      'withings-link:pending-logins',
      JSON.stringify([{ state: 'x' }, 'nonsense', { ...login('ok', 0) }]),
    )
    const logins = createPendingLogins(sessionStorage, () => 0)
    expect(logins.take('x').status).toBe('unknown')
    expect(logins.take('ok').status).toBe('found')
    sessionStorage.setItem('withings-link:pending-logins', '{not json')
    expect(createPendingLogins(sessionStorage).take('ok').status).toBe('unknown')
  })
})
