import { encodeBase64url } from './contract'

// Decoding base64url (RFC 4648 §5), on Web standards only so the relay runs wherever Hono runs.
// Encoding is in contract.ts, which the SPA shares.

/**
 * Returns null for anything that is not canonical base64url: the unused low bits of the last
 * character must be zero, so each byte string has exactly one accepted spelling.
 */
export function decodeBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'))
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return encodeBase64url(bytes) === text ? bytes : null
}
