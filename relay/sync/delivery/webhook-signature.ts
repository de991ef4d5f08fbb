// Standard Webhooks signatures (standardwebhooks.com; the specification's "Signature scheme"):
// `v1,` + base64(HMAC-SHA256(secret, `${id}.${timestamp}.${body}`)), the secret being the bytes
// of `whsec_<base64>`. Several secrets (a rotation under way) sign the same content, their
// signatures separated by spaces; a receiver accepts a delivery that any of them verifies.
//
// Our own few lines on Web Crypto rather than the `standardwebhooks` package: the package is
// CommonJS and hashes in JavaScript (fast-sha256), where every runtime the relay supports has a
// native HMAC; what it signs and what we sign are proven identical in
// test/sync/webhook-signature.test.ts (the specification's test vector, and random secrets,
// ids and bodies checked by the package's own `verify`).

const PREFIX = 'whsec_'
const encoder = new TextEncoder()

export interface WebhookSigner {
  /** The `webhook-signature` header: one `v1,…` per secret, space-separated. */
  sign(id: string, timestamp: number, body: string): Promise<string>
}

export function createWebhookSigner(secrets: readonly string[]): WebhookSigner {
  const keys = secrets.map((secret) =>
    crypto.subtle.importKey('raw', secretBytes(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ]),
  )
  return {
    async sign(id, timestamp, body) {
      const content = encoder.encode(`${id}.${timestamp}.${body}`)
      const signatures = await Promise.all(
        keys.map(async (key) => {
          const mac = await crypto.subtle.sign('HMAC', await key, content)
          return `v1,${base64(new Uint8Array(mac))}`
        }),
      )
      return signatures.join(' ')
    },
  }
}

/** The key bytes of a `whsec_…` secret. */
function secretBytes(secret: string): Uint8Array<ArrayBuffer> {
  const text = atob(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret)
  return Uint8Array.from(text, (char) => char.charCodeAt(0))
}

function base64(bytes: Uint8Array): string {
  let text = ''
  for (const byte of bytes) text += String.fromCharCode(byte)
  return btoa(text)
}
