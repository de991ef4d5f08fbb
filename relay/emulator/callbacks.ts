// Which redirect_uri a client may use. The reference (oauth2-authorize, redirect_uri) gives the
// rule by example: "Callbacks: https://mydomain.com/ ... Valid URL:
// https://mydomain.com/relative_path?args=value" — same scheme, host and port as a registered
// callback, a path under the callback's path, any query. Several callbacks may be registered
// comma-separated. Withings' callback rules (glossary, "Callback URL"): https, port 80 or 443, at
// most 255 characters, no localhost and no IP address; the emulator relaxes the last ones unless
// `allowLocalCallbacks` is false, so local development works without a tunnel.

export const REDIRECT_URI_MISMATCH =
  'redirect_uri_mismatch: The redirect URI provided is missing or does not match partner callback url'

const MAX_CALLBACK_LENGTH = 255

type CallbackCheck = { ok: true; url: URL } | { ok: false; reason: string }

/** Registered callbacks, each entry possibly a comma-separated list; unparsable ones are ignored. */
export function parseCallbacks(entries: readonly string[]): URL[] {
  return entries
    .flatMap((entry) => entry.split(','))
    .map((text) => text.trim())
    .filter((text) => text !== '')
    .flatMap((text) => (URL.canParse(text) ? [new URL(text)] : []))
}

export function checkRedirectUri(
  redirectUri: string | undefined,
  callbacks: readonly URL[],
  { allowLocalCallbacks }: { allowLocalCallbacks: boolean },
): CallbackCheck {
  if (!redirectUri || !URL.canParse(redirectUri))
    return { ok: false, reason: REDIRECT_URI_MISMATCH }
  const url = new URL(redirectUri)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, reason: REDIRECT_URI_MISMATCH }
  }
  // RFC 6749 §3.1.2: the redirection endpoint URI MUST NOT include a fragment component.
  if (url.hash !== '' || redirectUri.includes('#') || url.username !== '' || url.password !== '') {
    return { ok: false, reason: REDIRECT_URI_MISMATCH }
  }
  if (!allowLocalCallbacks) {
    const problem = strictProblem(url, redirectUri)
    if (problem) return { ok: false, reason: `${REDIRECT_URI_MISMATCH} (${problem})` }
  }
  const matches = callbacks.some(
    (callback) =>
      callback.protocol === url.protocol &&
      callback.hostname === url.hostname &&
      callback.port === url.port &&
      url.pathname.startsWith(callback.pathname),
  )
  return matches ? { ok: true, url } : { ok: false, reason: REDIRECT_URI_MISMATCH }
}

/** What breaks Withings' own callback rules, if anything (also applied to notify callbacks). */
export function strictProblem(url: URL, text: string): string | undefined {
  if (url.protocol !== 'https:') return 'Withings only accepts https callbacks'
  if (url.port !== '' && url.port !== '80') return 'Withings only accepts ports 80 and 443'
  if (text.length > MAX_CALLBACK_LENGTH) return 'Withings accepts at most 255 characters'
  if (isLocalHost(url.hostname)) return 'Withings refuses localhost and IP-address callbacks'
  return undefined
}

export function isLocalHost(hostname: string): boolean {
  const host = hostname.toLowerCase()
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  if (host.startsWith('[')) return true // every bracketed host is an IPv6 literal
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host)
}

/**
 * The callback URL with `pairs` appended to whatever query the redirect_uri already carries.
 * Values go through encodeURIComponent only, so the partner decodes exactly the `state` it sent.
 */
export function callbackUrl(redirectUri: string, pairs: readonly [string, string][]): string {
  const base = new URL(redirectUri).href
  const query = pairs.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&')
  if (!base.includes('?')) return `${base}?${query}`
  return base.endsWith('?') || base.endsWith('&') ? `${base}${query}` : `${base}&${query}`
}
