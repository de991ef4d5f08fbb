import { Hono } from 'hono'
import { type EventStreams, isEventId } from '../notify/event-streams'
import type { Subscriptions } from '../notify/subscriptions'
import { type SessionEnv, sessionContext } from '../session/session-context'
import type { Sessions } from '../session/sessions'

export interface LiveRoutesOptions {
  sessions: Sessions
  subscriptions: Subscriptions
  streams: EventStreams
}

/**
 * `GET /api/events`: the person's live stream (Server-Sent Events). `GET /api/notify`: which
 * notification categories are subscribed, or why not — remembered, so it costs Withings nothing
 * once known. `POST /api/notify`: list and subscribe again now.
 */
export function liveRoutes({ sessions, subscriptions, streams }: LiveRoutesOptions) {
  const usable = sessionContext(sessions)
  return new Hono<SessionEnv>()
    .get('/events', sessionContext(sessions, { refresh: false }), async (c) => {
      const { id, userid, gen, endsAt } = c.get('session')
      // EventSource sends Last-Event-ID when it reconnects by itself; a page that opens a new
      // one after a failure passes it in the query (EventSource cannot set headers).
      const last = c.req.header('last-event-id') ?? c.req.query('last_event_id')
      // Only who it is and until when: an open stream keeps no token in memory for hours.
      return streams.open(
        { id, userid, gen, endsAt },
        last !== undefined && isEventId(last) ? last : undefined,
      )
    })
    .get('/notify', usable, async (c) => c.json(await subscriptions.status(c.get('session'))))
    .post('/notify', usable, async (c) => c.json(await subscriptions.recheck(c.get('session'))))
}
