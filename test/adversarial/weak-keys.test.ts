import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { parseConfig } from '../../relay/core/config'
import { testKey } from '../support/relay-config'
import { distinctCounter, figuresFor, reportAttack } from './support/figures'

// The keys people type instead of a random one, as an attacker would try them first: whoever
// guesses RELAY_SECRET forges sessions and callback URLs. Each is refused at start; a key from a
// random generator never is.

const valid = {
  WITHINGS_CLIENT_ID: 'client-id',
  WITHINGS_CLIENT_SECRET: 'client-secret',
  WITHINGS_REDIRECT_URI: 'https://app.example.com/callback',
}

const WORDS = ['changeme', 'secret', 'password', 'withings', 'relay', 'correct', 'horse', 'admin']
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Runs of characters in step: `abcdef…`, `0123…`, `zyx…`, `aaaa…`, from anywhere in the alphabet. */
const sequence = fc
  .tuple(fc.nat({ max: 63 }), fc.integer({ min: -2, max: 2 }), fc.integer({ min: 32, max: 90 }))
  .map(([start, step, length]) =>
    Array.from({ length }, (_, i) => ALPHABET[(((start + i * step) % 64) + 64) % 64]).join(''),
  )
/** A word or a short random piece, repeated (`changeme-changeme-…`, `q3Vf9W1sq3Vf9W1s…`). */
const repeated = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(...WORDS).map((word) => `${word}-`),
      fc.string({ unit: fc.constantFrom(...ALPHABET), minLength: 2, maxLength: 10 }),
    ),
    fc.integer({ min: 4, max: 12 }),
  )
  .map(([unit, times]) => unit.repeat(times))
/** Passphrases: words, spaces, punctuation. */
const passphrase = fc
  .array(fc.constantFrom(...WORDS), { minLength: 4, maxLength: 6 })
  .map((words) => `${words.join(' ')}!!!!`)
/** Random, but too short: a 128-bit hex key, a 24-byte base64 key. */
const short = fc
  .uint8Array({ minLength: 8, maxLength: 31 })
  .map((bytes) => Buffer.from(bytes).toString(bytes.length % 2 ? 'hex' : 'base64'))

describe('RELAY_SECRET', () => {
  test('typed keys are refused at start; the issue’s four first', ({ task }) => {
    const figures = figuresFor(task)
    const count = distinctCounter(figures)
    let accepted = 0
    fc.assert(
      fc.property(fc.oneof(sequence, repeated, passphrase, short), (key) => {
        count(key)
        const parsed = parseConfig({ ...valid, RELAY_SECRET: key })
        if (parsed.ok) accepted++
        expect(parsed.ok, key).toBe(false)
        expect(JSON.stringify(parsed)).not.toContain(key)
      }),
      {
        numRuns: 2_000,
        examples: [
          ['0123456789abcdef0123456789abcdef'],
          ['abcdefghijklmnopqrstuvwxyzABCDEF'],
          ['changeme-changeme-changeme-changeme'],
          ['correct horse battery staple!!!!'],
        ],
      },
    )
    // The same rules accept what `openssl rand -base64 32` makes.
    expect(parseConfig({ ...valid, RELAY_SECRET: testKey('random') }).ok).toBe(true)
    reportAttack(task, 'weak keys', { tried: figures.inputs, 'accepted at start': accepted })
    expect(accepted).toBe(0)
  })
})
