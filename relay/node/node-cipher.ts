import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto'
import { type CipherFactory, KEY_DERIVATION } from '../core/seal'

// The cookie seal's AES-256-GCM with node:crypto: the same key and the same bytes as Web Crypto
// (relay/seal.ts), computed on the calling thread. Web Crypto on Node sends every operation
// through libuv's thread pool and back; a refresh makes two, and the hops cost the code exchange
// a fifth of a millisecond or more (measured by `npm run bench`).

const TAG_BYTES = 16

export const nodeCipher: CipherFactory = async (secret) => {
  const key = Buffer.from(hkdfSync('sha256', secret, KEY_DERIVATION.salt, KEY_DERIVATION.info, 32))
  return {
    encrypt(iv, plaintext, aad) {
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
      cipher.setAAD(aad)
      return Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()])
    },
    decrypt(iv, sealed, aad) {
      if (sealed.length < TAG_BYTES) return null
      const body = sealed.subarray(0, sealed.length - TAG_BYTES)
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
        decipher.setAAD(aad)
        decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES))
        return Buffer.concat([decipher.update(body), decipher.final()])
      } catch {
        return null
      }
    },
  }
}
