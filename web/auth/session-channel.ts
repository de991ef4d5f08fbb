import type { TokenView } from '../../relay/contract'

// Tabs of the app tell each other about new tokens and disconnects. BroadcastChannel messages
// stay in memory: no token is ever written to localStorage, sessionStorage or a readable cookie.

export type SessionMessage = { type: 'token'; token: TokenView } | { type: 'disconnected' }

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
        const message = event.data as SessionMessage | undefined
        if (message?.type === 'token' || message?.type === 'disconnected') onMessage(message)
      }
      channel.addEventListener('message', handler)
      return () => channel.removeEventListener('message', handler)
    },
  }
}
