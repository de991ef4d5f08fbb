// Withings' signature hash protocol (reference: signaturev2-getnonce; developer guide, "Sign your
// requests"): sort the signed parameters by name, join their values with commas, HMAC-SHA256
// the text with the client secret, and send the lower-case hex digest as `signature`.

const encoder = new TextEncoder()

/** The `signature` of `params` (every one of them is signed) under `clientSecret`. */
export async function signature(
  params: Readonly<Record<string, string>>,
  clientSecret: string,
): Promise<string> {
  const text = Object.keys(params)
    .sort()
    .map((name) => params[name])
    .join(',')
  const key = await crypto.subtle.importKey(
    'raw',
    encoder.encode(clientSecret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const digest = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(text)))
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/** `signed` plus their `signature`, ready to send beside any unsigned parameters. */
export async function withSignature(
  signed: Readonly<Record<string, string>>,
  clientSecret: string,
): Promise<Record<string, string>> {
  return { ...signed, signature: await signature(signed, clientSecret) }
}
