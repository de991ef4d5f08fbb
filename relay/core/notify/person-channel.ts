import { type LiveNotification, parseLiveNotification } from '../../contract/wire-contract'
import { errorKind } from '../error-kind'
import type { Logger } from '../http/request-log'
import type { SharedStore } from '../store/shared-store'
import { jsonObject } from './json-object'

// What reaches a person's open pages, on whichever instance holds them: one channel per person
// in the shared store (Redis pub/sub with several instances), carrying notifications, news that
// the subscriptions changed, and the end of a session (Disconnect). Messages hold no token.

export type PersonMessage =
  | { type: 'notify'; id: string; notification: LiveNotification }
  | { type: 'subscription' }
  /** A session ended (Disconnect): its streams close, on every instance. */
  | { type: 'ended'; session: string }

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
  const { type, id, notification, session } = jsonObject(text) ?? {}
  if (type === 'subscription') return { type }
  if (type === 'ended') return typeof session === 'string' ? { type, session } : undefined
  if (type !== 'notify' || typeof id !== 'string') return undefined
  const parsedNotification = parseLiveNotification(notification)
  return parsedNotification && { type, id, notification: parsedNotification }
}
