import { describe, expect, test } from 'vitest'
import { parseSessionView } from '../../web/react/auth/session-view'
import { sessionView } from '../support/fake-relay'

// The page's view of a session, out of the relay's JSON or another tab's message: typed
// `unknown` until each of its five fields is checked, and never more than those five.

const VIEW = sessionView()

describe('a session view out of JSON or a message', () => {
  test('keeps the five fields of a whole view, and nothing else (a token least of all)', () => {
    const parsed = parseSessionView({ ...VIEW, access_token: 'a-token', refresh_token: 'r' })
    expect(parsed).toEqual(VIEW)
    expect(Object.keys(parsed ?? {})).toHaveLength(5)
  })

  test.each([
    ['nothing', undefined],
    ['null', null],
    ['text', JSON.stringify(VIEW)],
    ['a list', [VIEW]],
    ['a number userid', { ...VIEW, userid: 363 }],
    ['no scope', { ...VIEW, scope: undefined }],
    ['a text expires_at', { ...VIEW, expires_at: String(VIEW.expires_at) }],
    ['no refresh_at', { ...VIEW, refresh_at: undefined }],
    ['a null session_ends_at', { ...VIEW, session_ends_at: null }],
  ])('%s is no session view', (_, value) => {
    expect(parseSessionView(value)).toBeUndefined()
  })
})
