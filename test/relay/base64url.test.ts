import { describe, expect, test } from 'vitest'
import { decodeBase64url, encodeBase64url } from '../../relay/contract/wire-contract'

describe('base64url', () => {
  test('round-trips every length of bytes', () => {
    for (let length = 0; length < 40; length++) {
      const bytes = crypto.getRandomValues(new Uint8Array(length))
      const text = encodeBase64url(bytes)
      expect(text).toMatch(/^[A-Za-z0-9_-]*$/)
      expect(decodeBase64url(text)).toEqual(bytes)
    }
  })

  test('refuses a second spelling of the same bytes (non-zero padding bits)', () => {
    expect(encodeBase64url(new Uint8Array([0xff]))).toBe('_w')
    expect(decodeBase64url('_w')).toEqual(new Uint8Array([0xff]))
    expect(decodeBase64url('_x')).toBeNull()
  })

  test.each(['a', 'ab=c', 'a+b/', 'abc!', 'abcde'])('refuses %s', (text) => {
    expect(decodeBase64url(text)).toBeNull()
  })
})
