// Base64url without padding (RFC 4648 §5): how the SPA spells a state, and the relay a seal. On
// Web standards only, so that both run wherever a browser or Hono runs.

export function encodeBase64url(bytes: Uint8Array): string {
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')
}

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
