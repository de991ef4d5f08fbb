import { describe, expect, test } from 'vitest'
import { createSealer as createSealerWith, webCryptoCipher } from '../../relay/core/seal'
import { nodeCipher } from '../../relay/node/node-cipher'

const KEY_A = 'a'.repeat(32)
const KEY_B = 'b'.repeat(32)

// Every rule holds with either cipher: Web Crypto (any runtime) and node:crypto (Node's entry).
describe.each([
  ['Web Crypto', webCryptoCipher],
  ['node:crypto', nodeCipher],
])('sealed cookies (%s)', (_, cipher) => {
  const createSealer = (secrets: string[], now?: () => number) =>
    createSealerWith(secrets, now, cipher)

  test('round-trips a value and hides it', async () => {
    const sealer = createSealer([KEY_A])
    const sealed = await sealer.seal('session', { rt: 'refresh-token-value' }, 60)
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+$/)
    expect(sealed).not.toContain('refresh')
    expect(await sealer.unseal('session', sealed)).toEqual({
      value: { rt: 'refresh-token-value' },
      stale: false,
    })
  })

  test('a tampered cookie is rejected, whichever byte changed', async () => {
    const sealer = createSealer([KEY_A])
    const sealed = await sealer.seal('session', { a: 1 }, 60)
    for (const position of [3, 10, 20, sealed.length - 1]) {
      const flipped = sealed[position] === 'A' ? 'B' : 'A'
      const tampered = sealed.slice(0, position) + flipped + sealed.slice(position + 1)
      expect(await sealer.unseal('session', tampered)).toBeNull()
    }
    expect(await sealer.unseal('session', `${sealed}x`)).toBeNull()
    expect(await sealer.unseal('session', sealed.slice(0, -4))).toBeNull()
    expect(await sealer.unseal('session', 'v1.')).toBeNull()
    expect(await sealer.unseal('session', 'nonsense')).toBeNull()
  })

  test('a cookie sealed with a foreign key is rejected', async () => {
    const sealed = await createSealer([KEY_B]).seal('session', { a: 1 }, 60)
    expect(await createSealer([KEY_A]).unseal('session', sealed)).toBeNull()
  })

  test('a cookie sealed for another purpose is rejected', async () => {
    const sealer = createSealer([KEY_A])
    const login = await sealer.seal('__Host-wl-login', [{ s: 'x', exp: 1e12 }], 60)
    expect(await sealer.unseal('__Host-wl-session', login)).toBeNull()
  })

  test('expires after its time to live', async () => {
    let now = 1_000_000
    const sealer = createSealer([KEY_A], () => now)
    const sealed = await sealer.seal('session', 'v', 60)
    now += 59_000
    expect(await sealer.unseal('session', sealed)).not.toBeNull()
    now += 1_000
    expect(await sealer.unseal('session', sealed)).toBeNull()
  })

  test('key rotation: the old key still opens, and says the cookie is stale', async () => {
    const old = await createSealer([KEY_A]).seal('session', 'v', 60)
    const rotated = createSealer([KEY_B, KEY_A])
    expect(await rotated.unseal('session', old)).toEqual({ value: 'v', stale: true })
    const fresh = await rotated.seal('session', 'v', 60)
    expect(await rotated.unseal('session', fresh)).toEqual({ value: 'v', stale: false })
    expect(await createSealer([KEY_A]).unseal('session', fresh)).toBeNull()
  })
})

describe('the two ciphers', () => {
  test("open each other's cookies: the same keys, the same bytes", async () => {
    const web = createSealerWith([KEY_A], undefined, webCryptoCipher)
    const node = createSealerWith([KEY_A], undefined, nodeCipher)
    const value = { rt: 'refresh-token-value', uid: '363' }
    expect(await node.unseal('session', await web.seal('session', value, 60))).toEqual({
      value,
      stale: false,
    })
    expect(await web.unseal('session', await node.seal('session', value, 60))).toEqual({
      value,
      stale: false,
    })
  })

  test('neither accepts a tag cut short', async () => {
    const sealed = await createSealerWith([KEY_A], undefined, webCryptoCipher).seal('s', 1, 60)
    const packed = Buffer.from(sealed.slice(3), 'base64url')
    const cut = `v1.${packed.subarray(0, packed.length - 4).toString('base64url')}`
    for (const cipher of [webCryptoCipher, nodeCipher]) {
      expect(await createSealerWith([KEY_A], undefined, cipher).unseal('s', cut)).toBeNull()
    }
  })
})
