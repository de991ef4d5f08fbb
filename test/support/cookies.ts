import { cookiePolicy } from '../../relay/core/cookies/cookie-policy'
import { createSealer } from '../../relay/core/seal'

/** The cookie names of an app served over plain http on localhost, as every test stack is. */
const loopback = cookiePolicy('http://localhost')
export const LOGIN_COOKIE = loopback.login.name
export const SESSION_COOKIE = loopback.session.name

/** A string field of an opened seal, or undefined: tests narrow what they unseal, too. */
export function sealedField(value: unknown, name: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const field: unknown = (value as Record<string, unknown>)[name]
  return typeof field === 'string' ? field : undefined
}

/** What the relay sealed in a session cookie (tests hold the key), or undefined. */
export async function openSession(sealed: string | undefined, key: string) {
  if (!sealed) return undefined
  const opened = await createSealer([key]).unseal(SESSION_COOKIE, sealed)
  return opened?.value
}

/** The pending logins the relay sealed in a login cookie (tests hold the key), or undefined. */
export async function openLogins(sealed: string | undefined, key: string) {
  if (!sealed) return undefined
  const opened = await createSealer([key]).unseal(LOGIN_COOKIE, sealed)
  return opened?.value
}
