// Every secret the emulator hands out comes from Web Crypto, like the real thing would.

const LOWER = 'abcdefghijklmnopqrstuvwxyz'
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

export function randomHex(bytes: number): string {
  const buffer = crypto.getRandomValues(new Uint8Array(bytes))
  return Array.from(buffer, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** Uniform characters from `alphabet` (rejection sampling, so no modulo bias). */
function randomString(length: number, alphabet: string): string {
  const limit = 256 - (256 % alphabet.length)
  let out = ''
  while (out.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < limit && out.length < length) out += alphabet[byte % alphabet.length]
    }
  }
  return out
}

/** Access and refresh tokens: 40 hex characters, as in the reference's examples. */
export const newToken = (): string => randomHex(20)

/** Codes look like the reference's example `mtwsikawoqleuroqcluggflrqilrnqbgqvqeuhhh`. */
export const newCode = (): string => randomString(40, LOWER)

/** `csrf_token`: 32 letters and digits, like `PACnnxwHTaBQOzF7bQqwFUUotIuvtzSM`. */
export const newCsrfToken = (): string => randomString(32, ALNUM)
