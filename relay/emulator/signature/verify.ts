// Withings' signature hash protocol (reference: signaturev2-getnonce; developer guide, "Sign your
// requests"): the values of the signed parameters, sorted by parameter name, joined with commas,
// HMAC-SHA256 under the client secret, sent as lower-case hex in `signature`. The emulator checks
// it with Web Crypto's HMAC verify, which compares in constant time.

const HEX_SHA256 = /^[0-9a-f]{64}$/

/** Whether `signature` is the HMAC of the `names` parameters of `form` under `secret`. */
export async function signatureMatches(
  form: URLSearchParams,
  names: readonly string[],
  secret: string,
): Promise<boolean> {
  const signature = form.get('signature') ?? ''
  if (!HEX_SHA256.test(signature)) return false
  const text = [...names]
    .sort()
    .map((name) => form.get(name) ?? '')
    .join(',')
  const encoder = new TextEncoder()
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['verify'],
  )
  const bytes = Uint8Array.from(signature.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16))
  return crypto.subtle.verify('HMAC', key, bytes, encoder.encode(text))
}
