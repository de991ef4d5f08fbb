// What Withings put in the callback URL: a code and the state, or an error and the state.

export type CallbackParams =
  | { kind: 'code'; code: string; state: string }
  | { kind: 'error'; error: string; state: string | null }
  | { kind: 'missing' }

const MAX_LENGTH = 512

export function parseCallbackParams(search: string): CallbackParams {
  const query = new URLSearchParams(search)
  const value = (name: string) => {
    const values = query.getAll(name)
    // Exactly one short value, or the parameter counts as absent: no guessing between duplicates.
    return values.length === 1 && values[0] && values[0].length <= MAX_LENGTH ? values[0] : null
  }
  const error = value('error')
  if (error) return { kind: 'error', error, state: value('state') }
  const code = value('code')
  const state = value('state')
  if (code && state) return { kind: 'code', code, state }
  return { kind: 'missing' }
}

/** True when the address bar holds anything from the callback that must not linger there. */
export function hasCallbackSecrets(search: string): boolean {
  const query = new URLSearchParams(search)
  return query.has('code') || query.has('state') || query.has('error')
}

/**
 * Only a path of this app: a state entry must never become an open redirect (RFC 9700 §4.11).
 * The value is resolved as the browser would (which drops tabs and newlines and reads `\` as
 * `/`), and the resolved path is handed back, never the raw text.
 */
export function safeReturnTo(returnTo: string | undefined): string {
  if (!returnTo?.startsWith('/')) return '/'
  let url: URL
  try {
    url = new URL(returnTo, RETURN_BASE)
  } catch {
    return '/' // e.g. `//`: another host, with no name
  }
  // A path that starts with `//` would itself be read as another host's address.
  if (url.origin !== RETURN_BASE || url.pathname.startsWith('//')) return '/'
  return `${url.pathname}${url.search}${url.hash}`
}

const RETURN_BASE = 'https://app.invalid'
