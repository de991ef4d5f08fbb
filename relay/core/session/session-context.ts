import type { Context, MiddlewareHandler } from 'hono'
import type { Session } from '../cookies/session-cookie'
import { RelayError } from '../errors'
import type { RelayEnv } from '../http/request-log'
import type { Sessions } from './sessions'

/** What a route under `sessionContext` finds on its context. */
export type SessionEnv = {
  Variables: RelayEnv['Variables'] & {
    session: Session
    /** True when this request refreshed the access token (a retry would not help). */
    refreshed: boolean
  }
}

/**
 * Looks up the request's session and sets it on the context (`c.get('session')`): the live one,
 * refreshed first once due unless `refresh` is false; or session_expired. With `without`, a
 * request with no live session gets that answer instead (an ordinary 204 where a first visit asks).
 */
export function sessionContext(
  sessions: Sessions,
  options: { refresh?: boolean; without?: (c: Context) => Response } = {},
): MiddlewareHandler<SessionEnv> {
  const { refresh = true, without } = options
  return async function sessionContext(c, next) {
    let usable: { session: Session; refreshed: boolean }
    try {
      const session = await sessions.current(c)
      usable = refresh ? await sessions.usable(c, session) : { session, refreshed: false }
    } catch (error) {
      if (without && error instanceof RelayError && error.code === 'session_expired') {
        return without(c)
      }
      throw error
    }
    c.set('session', usable.session)
    c.set('refreshed', usable.refreshed)
    await next()
  }
}
