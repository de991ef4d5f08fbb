import type { CookieOptions } from 'hono/utils/cookie'

/**
 * `__Host-` cookies: Secure, Path=/, no Domain, so no sibling subdomain can set or read them.
 * Chromium and Firefox accept Secure cookies on http://localhost, so this holds in development too.
 */
export function hostCookie(sameSite: 'Lax' | 'Strict', maxAgeSeconds: number): CookieOptions {
  return { httpOnly: true, secure: true, path: '/', sameSite, maxAge: maxAgeSeconds }
}
