import { parseStoredNews, type StoredNews } from '../../../relay/contract/stored-data'
import { type LiveNotification, parseLiveNotification } from '../../../relay/contract/wire-contract'

// The page's one connection to the relay's live stream (`GET /api/events`, Server-Sent Events),
// shared by every component that listens, open only while one does. EventSource reconnects by
// itself after a dropped connection (sending Last-Event-ID, so the relay replays what was
// missed); after an answer that is no stream (the relay restarting, a bound reached, Redis
// away) it gives up, so this client opens a new one after a pause, passing the last id along.

export type LiveEvent =
  | { type: 'notify'; notification: LiveNotification }
  /** The relay's subscriptions at Withings changed: ask `GET /api/notify` again. */
  | { type: 'subscription' }
  /** New data was stored for the person (sync on): read it again from the store. */
  | { type: 'stored'; news: StoredNews }

/** `off` while nobody listens (or the session ended); `reconnecting` while it is away. */
export type LiveStatus = 'off' | 'connecting' | 'live' | 'reconnecting'

/** What the client needs of the browser's EventSource. */
export interface EventSourceLike {
  readonly readyState: number
  addEventListener(type: string, listener: (event: MessageEvent<string>) => void): void
  close(): void
}

export interface LiveEvents {
  /** Listens (opening the stream for the first listener); the returned function stops. */
  listen(listener: (event: LiveEvent) => void): () => void
  getStatus(): LiveStatus
  /** For useSyncExternalStore. */
  onStatus(listener: () => void): () => void
}

export interface LiveEventsOptions {
  /** The stream's URL, e.g. `/api/events`. */
  url: string
  /** Opens an EventSource; the browser's by default. */
  open?: (url: string) => EventSourceLike
  /** The pause before the n-th new connection (n from 0); 1 s doubling to 30 s, with jitter. */
  backoffMs?: (attempt: number) => number
}

const CLOSED = 2

const defaultBackoff = (attempt: number) =>
  Math.min(30_000, 1_000 * 2 ** attempt) * (0.75 + Math.random() * 0.5)

export function createLiveEvents(options: LiveEventsOptions): LiveEvents {
  const { url, open = (target) => new EventSource(target), backoffMs = defaultBackoff } = options
  const listeners = new Set<(event: LiveEvent) => void>()
  const watchers = new Set<() => void>()
  let status: LiveStatus = 'off'
  let source: EventSourceLike | undefined
  let timer: ReturnType<typeof setTimeout> | undefined
  let attempts = 0
  let lastId: string | undefined

  const setStatus = (next: LiveStatus) => {
    if (next === status) return
    status = next
    for (const watcher of watchers) watcher()
  }
  const emit = (event: LiveEvent) => {
    for (const listener of listeners) listener(event)
  }

  function connect() {
    const target = lastId ? `${url}?last_event_id=${encodeURIComponent(lastId)}` : url
    const opened = open(target)
    source = opened
    const mine =
      (handler: (event: MessageEvent<string>) => void) => (event: MessageEvent<string>) => {
        if (source === opened) handler(event)
      }
    opened.addEventListener(
      'open',
      mine(() => {
        attempts = 0
        setStatus('live')
      }),
    )
    opened.addEventListener(
      'notify',
      mine((event) => {
        const notification = parseLiveNotification(parseJson(event.data))
        if (event.lastEventId) lastId = event.lastEventId
        if (notification) emit({ type: 'notify', notification })
      }),
    )
    opened.addEventListener(
      'subscription',
      mine(() => emit({ type: 'subscription' })),
    )
    opened.addEventListener(
      'stored',
      mine((event) => {
        const news = parseStoredNews(parseJson(event.data))
        if (news) emit({ type: 'stored', news })
      }),
    )
    // The relay is shutting down: the browser comes back after the stream's `retry`.
    opened.addEventListener(
      'reconnect',
      mine(() => setStatus('reconnecting')),
    )
    // The session ended (Disconnect, perhaps in another browser window or on another instance).
    opened.addEventListener(
      'ended',
      mine(() => stop()),
    )
    opened.addEventListener(
      'error',
      mine(() => {
        setStatus('reconnecting')
        if (opened.readyState !== CLOSED) return
        opened.close()
        source = undefined
        timer = setTimeout(connect, backoffMs(attempts++))
      }),
    )
  }

  function stop() {
    clearTimeout(timer)
    timer = undefined
    source?.close()
    source = undefined
    attempts = 0
    setStatus('off')
  }

  return {
    listen(listener) {
      listeners.add(listener)
      if (listeners.size === 1 && !source && timer === undefined) {
        setStatus('connecting')
        connect()
      }
      return () => {
        listeners.delete(listener)
        if (listeners.size === 0) stop()
      }
    },
    getStatus: () => status,
    onStatus(watcher) {
      watchers.add(watcher)
      return () => watchers.delete(watcher)
    },
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}
