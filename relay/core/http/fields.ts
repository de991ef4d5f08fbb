import { RelayError } from '../errors'

// Field rules, checked before anything goes upstream. The SPA's state is 32 random bytes in
// base64url (43 characters); Withings' codes are 40 letters, but we allow some headroom.

const STATE = /^[A-Za-z0-9_-]{43,128}$/
const CODE = /^[A-Za-z0-9._~-]{8,256}$/

export function stateField(body: Record<string, unknown>): string {
  return matching(body, 'state', STATE, '43 to 128 base64url characters')
}

export function codeField(body: Record<string, unknown>): string {
  return matching(body, 'code', CODE, '8 to 256 letters, digits or ._~-')
}

/** Refuses fields the route does not know, so typos and probes fail loudly. */
export function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  if (Object.keys(body).some((key) => !allowed.includes(key))) {
    throw new RelayError(
      'bad_request',
      `Unexpected field in the body; expected only: ${allowed.join(', ')}.`,
    )
  }
}

function matching(
  body: Record<string, unknown>,
  field: string,
  pattern: RegExp,
  rule: string,
): string {
  const value = body[field]
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new RelayError('bad_request', `'${field}' must be a string of ${rule}.`)
  }
  return value
}
