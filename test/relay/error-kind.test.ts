import { describe, expect, test } from 'vitest'
import { errorKind } from '../../relay/core/error-kind'

// The one way the relay, its Node adapter and its servers describe a failure in a log line: the
// kind (names and codes), never a message, and never a name or code that could be a token.

const TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678'

describe('errorKind', () => {
  test('names the error and its code, and the causes under it', () => {
    const socket = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), {
      code: 'ECONNREFUSED',
    })
    const fetchFailed = new TypeError('fetch failed', { cause: socket })
    expect(errorKind(fetchFailed)).toBe('TypeError <- Error ECONNREFUSED')
    expect(errorKind(new DOMException('late', 'TimeoutError'))).toBe('TimeoutError')
  })

  test('never the message, whatever it holds', () => {
    const leaky = new Error(`POST /v2/oauth2?client_secret=${TOKEN}`, {
      cause: new Error(`body: refresh_token=${TOKEN}`),
    })
    const kind = errorKind(leaky)
    expect(kind).toBe('Error <- Error')
    expect(kind).not.toContain(TOKEN)
  })

  test.each([
    ['a token as its name', { name: TOKEN }, 'Error'],
    ['a sentence as its name', { name: 'Leaky name with spaces' }, 'Error'],
    ['a name of 33 letters', { name: 'A'.repeat(33) }, 'Error'],
    ['a token as its code', { code: TOKEN }, 'Error'],
    ['a code with a digit', { code: 'ERR1' }, 'Error'],
    ['a code that is no string', { code: 42 }, 'Error'],
    ['an identifier as its name', { name: 'ReplyError' }, 'ReplyError'],
    ['a name of 32 letters', { name: 'A'.repeat(32) }, 'A'.repeat(32)],
    ['an identifier as its code', { code: 'UND_ERR_SOCKET' }, 'Error UND_ERR_SOCKET'],
  ])('an error with %s is logged as %s', (_, fields, kind) => {
    expect(errorKind(Object.assign(new Error(TOKEN), fields))).toBe(kind)
  })

  test('a long chain or a cycle stops after five levels', () => {
    const a = new Error(TOKEN)
    const b = new RangeError(TOKEN, { cause: a })
    a.cause = b
    expect(errorKind(b)).toBe('RangeError <- Error <- RangeError <- Error <- RangeError')
  })

  test('no cause, no kind; a thrown value that is no Error says nothing of itself', () => {
    expect(errorKind(undefined)).toBeUndefined()
    expect(errorKind(TOKEN)).toBe('unknown')
    expect(errorKind({ name: 'TypeError', message: TOKEN })).toBe('unknown')
    expect(errorKind(null)).toBe('unknown')
  })
})
