import { parseStoredNews, type StoredNews } from '../../contract/stored-data'
import { type LiveNotification, parseLiveNotification } from '../../contract/wire-contract'
import { errorKind } from '../error-kind'
import type { Logger } from '../http/request-log'
import type { SharedStore } from '../store/shared-store'
import { jsonObject } from './json-object'

// What reaches a person's open pages, on whichever instance holds them: one channel per person
// in the shared store (Redis pub/sub with several instances), carrying notifications, news that
// the subscriptions changed, and the end of sessions. Messages hold no token.

export type PersonMessage =
  | { type: 'notify'; id: string; notification: LiveNotification }
  | { type: 'subscription' }
  /**
   * Sessions ended: `session`'s own (discarded), and with `upTo` (Disconnect) every one of the
   * person's begun through that sign-in number. Their streams close, on every instance.
   */
  | { type: 'ended'; session: string; upTo?: number }
  /** The person's stored data changed (sync on): pages read it again. */
  | { type: 'stored'; news: StoredNews }

export interface PersonChannel {
  /** Never rejects: a message the store could not carry is logged and dropped. */
  publish(userid: string, message: PersonMessage): Promise<void>
  /** Rejects (StoreUnavailable) when the store cannot subscribe. */
  subscribe(
    userid: string,
    onMessage: (message: PersonMessage) => void,
  ): Promise<() => Promise<void>>
}

const channelOf = (userid: string) => `person:${userid}`

export function createPersonChannel(store: SharedStore, log: Logger): PersonChannel {
  return {
    async publish(userid, message) {
      await store.publish(channelOf(userid), JSON.stringify(message)).catch((cause: unknown) => {
        log({
          level: 'warn',
          msg: 'live message not published',
          type: message.type,
          cause: errorKind(cause),
        })
      })
    },
    subscribe(userid, onMessage) {
      return store.subscribe(channelOf(userid), (text) => {
        const message = parsePersonMessage(text)
        if (message) onMessage(message)
      })
    },
  }
}

/** A message off the channel (another instance's, or anyone's who can publish to the store). */
export function parsePersonMessage(text: string): PersonMessage | undefined {
  const { type, id, notification, session, upTo, news } = jsonObject(text) ?? {}
  if (type === 'subscription') return { type }
  if (type === 'stored') {
    const parsed = parseStoredNews(news)
    return parsed && { type, news: parsed }
  }
  if (type === 'ended') {
    if (typeof session !== 'string') return undefined
    return Number.isSafeInteger(upTo) ? { type, session, upTo: upTo as number } : { type, session }
  }
  if (type !== 'notify' || typeof id !== 'string') return undefined
  const parsedNotification = parseLiveNotification(notification)
  return parsedNotification && { type, id, notification: parsedNotification }
}
