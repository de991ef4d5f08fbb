import type { SessionView } from '../../../relay/contract/wire-contract'
import { parseSessionView } from './session-view'

// Tabs of the app tell each other about sessions and disconnects. Messages stay in memory and
// hold no token (the page has none): a session view, or the news that it ended.

export type SessionMessage = { type: 'session'; session: SessionView } | { type: 'disconnected' }

export interface SessionChannel {
  post(message: SessionMessage): void
  listen(onMessage: (message: SessionMessage) => void): () => void
}

export function createSessionChannel(name = 'withings-link:session'): SessionChannel {
  if (typeof BroadcastChannel === 'undefined') return { post() {}, listen: () => () => {} }
  const channel = new BroadcastChannel(name)
  return {
    post: (message) => channel.postMessage(message),
    listen(onMessage) {
      const handler = (event: MessageEvent) => {
        const message = parseMessage(event.data)
        if (message) onMessage(message)
      }
      channel.addEventListener('message', handler)
      return () => channel.removeEventListener('message', handler)
    },
  }
}

function parseMessage(data: unknown): SessionMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined
  const { type, session } = data as Record<string, unknown>
  if (type === 'disconnected') return { type }
  const view = type === 'session' ? parseSessionView(session) : undefined
  return view && { type: 'session', session: view }
}
