import { isLoopbackHost } from './cookies/cookie-policy'

// The webhook's settings (WEBHOOK_URL, WEBHOOK_SECRET; docs/webhooks.md), checked at start by
// the config and again by createSync for apps that pass them in code: one sentence per problem,
// never the URL (it may carry a token of the receiver's) nor a secret.

export const WEBHOOK_SECRET_PREFIX = 'whsec_'
/** Standard Webhooks asks for 24 to 64 random bytes; at least 24 here. */
export const MIN_WEBHOOK_SECRET_BYTES = 24
export const MAKE_A_WEBHOOK_SECRET = 'make one with `echo whsec_$(openssl rand -base64 32)`'

/** Several secrets (a rotation): comma- or space-separated, the first being the newest. */
export function webhookSecretList(raw: string | undefined): string[] {
  return (raw ?? '').split(/[\s,]+/).filter(Boolean)
}

/** Every problem with a webhook's URL and secrets, one sentence each. */
export function webhookProblems(url: string, secrets: readonly string[]): string[] {
  const problems: string[] = []
  let parsed: URL | undefined
  try {
    parsed = new URL(url)
  } catch {
    parsed = undefined
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    problems.push(
      'WEBHOOK_URL must be an absolute http(s) URL, such as https://api.example.com/withings/webhooks.',
    )
  } else if (parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname)) {
    problems.push(
      `WEBHOOK_URL is plain http on ${parsed.host}: people's health data would travel in clear text; use https, or http://localhost (or 127.0.0.1, [::1]) on your own machine.`,
    )
  }
  if (secrets.length === 0) {
    problems.push(
      `WEBHOOK_URL is set without WEBHOOK_SECRET, which signs each delivery; ${MAKE_A_WEBHOOK_SECRET}.`,
    )
  }
  for (const [index, secret] of secrets.entries()) {
    if (webhookSecretBytes(secret) >= MIN_WEBHOOK_SECRET_BYTES) continue
    const which = secrets.length > 1 ? `secret ${index + 1} of ${secrets.length}` : 'the secret'
    problems.push(
      `WEBHOOK_SECRET: ${which} is not ${WEBHOOK_SECRET_PREFIX} followed by the base64 of ${MIN_WEBHOOK_SECRET_BYTES} random bytes or more; ${MAKE_A_WEBHOOK_SECRET}.`,
    )
  }
  return problems
}

/** Bytes a `whsec_<base64>` secret decodes to; 0 when it is not one. */
function webhookSecretBytes(secret: string): number {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) return 0
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length)
  // Standard base64, padded, as the specification's libraries decode it.
  if (encoded.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return 0
  return (encoded.length / 4) * 3 - (encoded.length - encoded.replace(/=+$/, '').length)
}
