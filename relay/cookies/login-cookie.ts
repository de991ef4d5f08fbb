import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { constantTimeEqual, LOGIN_COOKIE, PENDING_LOGIN_SECONDS } from '../contract'
import type { Sealer } from '../seal'
import { hostCookie } from './cookie-options'

// The login cookie binds each pending state to the browser that started the login, so a code
// presented anywhere else is useless. It holds a few states, not one, so that two tabs logging
// in at once do not overwrite each other (oauth2-proxy's single CSRF cookie is known to).
// SameSite=Lax: it must survive the top-level navigation back from Withings.

const MAX_PENDING = 5

interface PendingState {
  s: string
  exp: number
}

export interface LoginCookie {
  bind(c: Context, state: string): Promise<void>
  /** Removes the state from the cookie and says whether it was there (single use). */
  consume(c: Context, state: string): Promise<boolean>
  clear(c: Context): void
}

export function createLoginCookie(sealer: Sealer, now: () => number): LoginCookie {
  const seconds = () => Math.floor(now() / 1000)

  async function read(c: Context): Promise<PendingState[]> {
    const sealed = getCookie(c, LOGIN_COOKIE)
    if (!sealed) return []
    const opened = await sealer.unseal<unknown>(LOGIN_COOKIE, sealed)
    if (!opened || !Array.isArray(opened.value)) return []
    return opened.value.filter(
      (entry): entry is PendingState =>
        typeof entry?.s === 'string' && typeof entry?.exp === 'number' && entry.exp > seconds(),
    )
  }

  async function write(c: Context, pending: PendingState[]): Promise<void> {
    if (pending.length === 0) return clear(c)
    const sealed = await sealer.seal(LOGIN_COOKIE, pending, PENDING_LOGIN_SECONDS)
    setCookie(c, LOGIN_COOKIE, sealed, hostCookie('Lax', PENDING_LOGIN_SECONDS))
  }

  function clear(c: Context): void {
    deleteCookie(c, LOGIN_COOKIE, hostCookie('Lax', 0))
  }

  return {
    async bind(c, state) {
      const pending = (await read(c)).filter((entry) => entry.s !== state)
      pending.push({ s: state, exp: seconds() + PENDING_LOGIN_SECONDS })
      await write(c, pending.slice(-MAX_PENDING))
    },
    async consume(c, state) {
      const pending = await read(c)
      const remaining = pending.filter((entry) => !constantTimeEqual(entry.s, state))
      if (remaining.length === pending.length) return false
      await write(c, remaining)
      return true
    },
    clear,
  }
}
