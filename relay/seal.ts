import { decodeBase64url, encodeBase64url } from './base64url'

// Sealed cookies: AES-256-GCM with a key derived (HKDF-SHA-256) from each RELAY_SECRET entry.
// The cookie's purpose (its name) is bound as additional authenticated data, so a login cookie
// can never be replayed as a session cookie. Keys are imported once, when the sealer is made.

const FORMAT = 'v1'
const IV_BYTES = 12
const encoder = new TextEncoder()
const decoder = new TextDecoder()

type CryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>

export interface Unsealed<T> {
  value: T
  /** Sealed with an older key: the caller should re-seal it with the current one. */
  stale: boolean
}

export interface Sealer {
  seal(purpose: string, value: unknown, ttlSeconds: number): Promise<string>
  /** Null for anything forged, tampered, sealed with an unknown key, for another purpose, or expired. */
  unseal<T>(purpose: string, sealed: string): Promise<Unsealed<T> | null>
}

export function createSealer(secrets: readonly string[], now: () => number = Date.now): Sealer {
  if (secrets.length === 0) throw new Error('createSealer needs at least one secret')
  const keys = Promise.all(secrets.map(deriveKey))

  return {
    async seal(purpose, value, ttlSeconds) {
      const [current] = await keys
      const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES))
      const expiresAt = Math.floor(now() / 1000) + ttlSeconds
      const plaintext = encoder.encode(JSON.stringify({ exp: expiresAt, v: value }))
      const ciphertext = await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: encoder.encode(purpose) },
        current as CryptoKey,
        plaintext,
      )
      const packed = new Uint8Array(IV_BYTES + ciphertext.byteLength)
      packed.set(iv)
      packed.set(new Uint8Array(ciphertext), IV_BYTES)
      return `${FORMAT}.${encodeBase64url(packed)}`
    },

    async unseal<T>(purpose: string, sealed: string): Promise<Unsealed<T> | null> {
      const [format, payload, extra] = sealed.split('.')
      if (format !== FORMAT || payload === undefined || extra !== undefined) return null
      const packed = decodeBase64url(payload)
      if (!packed || packed.length <= IV_BYTES + 16) return null
      const iv = packed.slice(0, IV_BYTES)
      const ciphertext = packed.slice(IV_BYTES)
      const allKeys = await keys
      for (const [index, key] of allKeys.entries()) {
        const plaintext = await decrypt(key, iv, ciphertext, purpose)
        if (!plaintext) continue
        const opened = parseSealed(plaintext)
        if (!opened || opened.exp <= Math.floor(now() / 1000)) return null
        return { value: opened.v as T, stale: index > 0 }
      }
      return null
    },
  }
}

async function deriveKey(secret: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, [
    'deriveKey',
  ])
  return crypto.subtle.deriveKey(
    {
      name: 'HKDF',
      hash: 'SHA-256',
      salt: encoder.encode('withings-link'),
      info: encoder.encode('cookie-seal v1'),
    },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  )
}

async function decrypt(
  key: CryptoKey,
  iv: Uint8Array<ArrayBuffer>,
  ciphertext: Uint8Array<ArrayBuffer>,
  purpose: string,
): Promise<string | null> {
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv, additionalData: encoder.encode(purpose) },
      key,
      ciphertext,
    )
    return decoder.decode(plaintext)
  } catch {
    return null
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
