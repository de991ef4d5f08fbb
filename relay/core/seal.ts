import { decodeBase64url, encodeBase64url } from '../contract/wire-contract'

// Sealed cookies: AES-256-GCM with a key derived (HKDF-SHA-256) from each RELAY_SECRET entry.
// The cookie's purpose (its name) is bound as additional authenticated data, so a login cookie
// can never be replayed as a session cookie. Keys are derived once, when the sealer is made.

const FORMAT = 'v1'
const IV_BYTES = 12
const TAG_BYTES = 16
const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** HKDF-SHA-256's salt and info for every cookie key; a 32-byte key for AES-256-GCM. */
export const KEY_DERIVATION = { salt: 'withings-link', info: 'cookie-seal v1' } as const

/**
 * AES-256-GCM under the key of one secret. `sealed` is the ciphertext followed by its 16-byte
 * tag, as Web Crypto writes it; decrypt answers null when the tag does not verify.
 */
export interface CookieCipher {
  encrypt(
    iv: Uint8Array<ArrayBuffer>,
    plaintext: Uint8Array<ArrayBuffer>,
    aad: Uint8Array<ArrayBuffer>,
  ): Uint8Array | Promise<Uint8Array>
  decrypt(
    iv: Uint8Array<ArrayBuffer>,
    sealed: Uint8Array<ArrayBuffer>,
    aad: Uint8Array<ArrayBuffer>,
  ): Uint8Array | null | Promise<Uint8Array | null>
}

/** Derives the cipher of one secret, once (KEY_DERIVATION). */
export type CipherFactory = (secret: string) => Promise<CookieCipher>

type CryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>

interface Unsealed {
  /** Whatever was sealed, as JSON gave it back: callers narrow it. */
  value: unknown
  /** Sealed with an older key: the caller should re-seal it with the current one. */
  stale: boolean
}

export interface Sealer {
  seal(purpose: string, value: unknown, ttlSeconds: number): Promise<string>
  /** Null for anything forged, tampered, sealed with an unknown key, for another purpose, or expired. */
  unseal(purpose: string, sealed: string): Promise<Unsealed | null>
}

/** `cipherOf` defaults to Web Crypto, there on every runtime Hono runs on. */
export function createSealer(
  secrets: readonly string[],
  now: () => number = Date.now,
  cipherOf: CipherFactory = webCryptoCipher,
): Sealer {
  if (secrets.length === 0) throw new Error('createSealer needs at least one secret')
  const ciphers = Promise.all(secrets.map(cipherOf))

  return {
    async seal(purpose, value, ttlSeconds) {
      const [current] = (await ciphers) as [CookieCipher]
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
      const expiresAt = Math.floor(now() / 1000) + ttlSeconds
      const plaintext = encoder.encode(JSON.stringify({ exp: expiresAt, v: value }))
      const ciphertext = await current.encrypt(iv, plaintext, encoder.encode(purpose))
      const packed = new Uint8Array(IV_BYTES + ciphertext.byteLength)
      packed.set(iv)
      packed.set(ciphertext, IV_BYTES)
      return `${FORMAT}.${encodeBase64url(packed)}`
    },

    async unseal(purpose: string, sealed: string): Promise<Unsealed | null> {
      const [format, payload, extra] = sealed.split('.')
      if (format !== FORMAT || payload === undefined || extra !== undefined) return null
      const packed = decodeBase64url(payload)
      if (!packed || packed.length <= IV_BYTES + TAG_BYTES) return null
      const iv = packed.slice(0, IV_BYTES)
      const ciphertext = packed.slice(IV_BYTES)
      const aad = encoder.encode(purpose)
      for (const [index, cipher] of (await ciphers).entries()) {
        const plaintext = await cipher.decrypt(iv, ciphertext, aad)
        if (!plaintext) continue
        const opened = parseSealed(decoder.decode(plaintext))
        if (!opened || opened.exp <= Math.floor(now() / 1000)) return null
        return { value: opened.v, stale: index > 0 }
      }
      return null
    },
  }
}

/** The portable cipher: Web Crypto, each operation a round trip to the runtime's crypto. */
export const webCryptoCipher: CipherFactory = async (secret) => {
  const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, [
    'deriveKey',
  ])
  const key: CryptoKey = await crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: encoder.encode(KEY_DERIVATION.salt),
      info: encoder.encode(KEY_DERIVATION.info),
    },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  )
  return {
    async encrypt(iv, plaintext, aad) {
      const algorithm = { name: 'AES-GCM', iv, additionalData: aad }
      return new Uint8Array(await crypto.subtle.encrypt(algorithm, key, plaintext))
    },
    async decrypt(iv, sealed, aad) {
      try {
        const algorithm = { name: 'AES-GCM', iv, additionalData: aad }
        return new Uint8Array(await crypto.subtle.decrypt(algorithm, key, sealed))
      } catch {
        return null
      }
    },
  }
}

function parseSealed(plaintext: string): { exp: number; v: unknown } | null {
  try {
    const parsed: unknown = JSON.parse(plaintext)
    if (typeof parsed !== 'object' || parsed === null) return null
    const { exp, v } = parsed as Record<string, unknown>
    return typeof exp === 'number' ? { exp, v } : null
  } catch {
    return null
  }
}
