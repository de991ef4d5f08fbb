import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { constantTimeEqual, PENDING_LOGIN_SECONDS } from '../../contract/wire-contract'
import type { Sealer } from '../seal'
import type { CookieSpec } from './cookie-policy'

// The login cookie binds each pending state to the browser that started the login, so a code
// that arrives in another browser's callback is refused (login CSRF, RFC 9700 §4.7). It does not
// make a stolen code useless: a thief can start a login of their own and present the code with
// their own state, since Withings offers no PKCE; keeping the code from leaking does that.
// It holds a few states, not one, so that two tabs logging in at once do not overwrite each other
// (oauth2-proxy's single CSRF cookie is known to). SameSite=Lax: it must survive the top-level
// navigation back from Withings.

const MAX_PENDING = 5

interface PendingState {
  s: string
  exp: number
}

/**
 * What became of a state presented with a code: `consumed` (it was pending here, and is no
 * more), `no_cookie` (the browser sent no login cookie at all: it did not keep it), or
 * `not_pending` (a cookie came, without this state in it).
 */
type Consumed = 'consumed' | 'no_cookie' | 'not_pending'

export interface LoginCookie {
  bind(c: Context, state: string): Promise<void>
  /** Removes the state from the cookie (single use) and says what was found. */
  consume(c: Context, state: string): Promise<Consumed>
  clear(c: Context): void
}

export function createLoginCookie(
  sealer: Sealer,
  now: () => number,
  cookie: CookieSpec,
): LoginCookie {
  const seconds = () => Math.floor(now() / 1000)

  async function read(sealed: string | undefined): Promise<PendingState[]> {
    if (!sealed) return []
    const opened = await sealer.unseal(cookie.name, sealed)
    if (!opened || !Array.isArray(opened.value)) return []
    return opened.value.filter(
      (entry): entry is PendingState =>
        typeof entry?.s === 'string' && typeof entry.exp === 'number' && entry.exp > seconds(),
    )
  }

  async function write(c: Context, pending: PendingState[]): Promise<void> {
    if (pending.length === 0) return clear(c)
    const sealed = await sealer.seal(cookie.name, pending, PENDING_LOGIN_SECONDS)
    setCookie(c, cookie.name, sealed, cookie.options(PENDING_LOGIN_SECONDS))
  }

  function clear(c: Context): void {
    deleteCookie(c, cookie.name, cookie.options(0))
  }

  return {
    async bind(c, state) {
      const pending = (await read(getCookie(c, cookie.name))).filter((entry) => entry.s !== state)
      pending.push({ s: state, exp: seconds() + PENDING_LOGIN_SECONDS })
      await write(c, pending.slice(-MAX_PENDING))
    },
    async consume(c, state) {
      const sealed = getCookie(c, cookie.name)
      if (sealed === undefined) return 'no_cookie'
      const pending = await read(sealed)
      const remaining = pending.filter((entry) => !constantTimeEqual(entry.s, state))
      if (remaining.length === pending.length) return 'not_pending'
      await write(c, remaining)
      return 'consumed'
    },
    clear,
  }
}
