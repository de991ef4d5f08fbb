// Whether a RELAY_SECRET key is what `openssl rand -base64 32` (or `-hex 32`) makes: 32 random
// bytes or more, written as hex or base64. A key seals every session and makes every
// notification callback URL, so a guessable one lets anyone forge both. Length alone does not
// tell a random key from `changeme-changeme-changeme-changeme` or `0123456789abcdef…`: what a
// person types is refused by its shape — too few bytes once decoded, a run of characters that
// climb or repeat in step, a stretch that repeats itself, too little variety. A key from a
// random generator meets none of these except with a probability far below 10⁻⁹.

/** Bytes of randomness a key must decode to (HKDF then derives AES-256 and HMAC keys from it). */
export const MIN_KEY_BYTES = 32
/** Characters in step (`abcdefgh`, `00000000`, `97531…`) that no random key holds. */
const LONGEST_STEP_RUN = 7
/** How much of a stretch may equal itself shifted by a period before it counts as a repeat. */
const REPEAT_SHARE = 0.75
const MIN_REPEAT_SPAN = 12
/** Shannon estimate (bits) below which a key is refused: a random 32-byte key gives ~200. */
const MIN_ESTIMATED_BITS = 128

export const MAKE_A_KEY = 'make one with `openssl rand -base64 32`'

/** Why `key` is no random key, as the end of a sentence; undefined when it is one. */
export function keyWeakness(key: string): string | undefined {
  const bytes = decodedLength(key)
  if (bytes === undefined) return 'is neither hex nor base64'
  if (bytes < MIN_KEY_BYTES) {
    return `decodes to ${bytes} bytes, fewer than ${MIN_KEY_BYTES} (hex needs ${MIN_KEY_BYTES * 2} characters, base64 ${Math.ceil((MIN_KEY_BYTES * 4) / 3)})`
  }
  const text = key.replace(/=+$/, '')
  if (longestStepRun(text) > LONGEST_STEP_RUN)
    return 'holds a run of repeated or consecutive characters'
  if (repeats(text)) return 'repeats a pattern'
  const bits = estimatedBits(text)
  if (bits < MIN_ESTIMATED_BITS) return `has too little variety (about ${bits} bits)`
  return undefined
}

/** Bytes `key` decodes to as hex (when it holds only hex digits) or base64/base64url. */
function decodedLength(key: string): number | undefined {
  if (/^[0-9a-f]+$/i.test(key)) return key.length % 2 === 0 ? key.length / 2 : undefined
  const match = /^([A-Za-z0-9+/]+|[A-Za-z0-9_-]+)(={0,2})$/.exec(key)
  if (!match?.[1]) return undefined
  const data = match[1].length
  const padded = data + (match[2]?.length ?? 0)
  if (match[2] && padded % 4 !== 0) return undefined
  if (data % 4 === 1) return undefined
  return Math.floor((data * 6) / 8)
}

/** The longest run of characters whose codes move by one same step (0 included: `aaaa`). */
function longestStepRun(text: string): number {
  let longest = Math.min(text.length, 2)
  let run = 2
  for (let i = 2; i < text.length; i++) {
    const step = text.charCodeAt(i) - text.charCodeAt(i - 1)
    run = step === text.charCodeAt(i - 1) - text.charCodeAt(i - 2) ? run + 1 : 2
    longest = Math.max(longest, run)
  }
  return longest
}

/** Whether the text equals itself shifted by some period over most of a long stretch. */
function repeats(text: string): boolean {
  for (let period = 1; text.length - period >= MIN_REPEAT_SPAN; period++) {
    let same = 0
    for (let i = period; i < text.length; i++) if (text[i] === text[i - period]) same++
    if (same >= (text.length - period) * REPEAT_SHARE) return true
  }
  return false
}

/** A key's characters' Shannon entropy times its length, in whole bits: a crude estimate. */
function estimatedBits(text: string): number {
  const counts = new Map<string, number>()
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1)
  let perChar = 0
  for (const count of counts.values()) {
    const p = count / text.length
    perChar -= p * Math.log2(p)
  }
  return Math.floor(perChar * text.length)
}
