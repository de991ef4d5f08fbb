import type { EventSourceLike } from '../../web/react/live/live-events'

// The browser's EventSource, replaced at the edge for page tests: each opened source is kept,
// and the test plays the relay — accepting the connection, sending events, dropping it.

type Listener = (event: MessageEvent<string>) => void

export class FakeEventSource implements EventSourceLike {
  readyState = 0
  private readonly listeners = new Map<string, Set<Listener>>()

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: Listener) {
    const set = this.listeners.get(type) ?? new Set()
    this.listeners.set(type, set.add(listener))
  }

  close() {
    this.readyState = 2
  }

  get closed() {
    return this.readyState === 2
  }

  /** The relay answered with a stream. */
  accept() {
    this.readyState = 1
    this.dispatch('open', '')
  }

  /** An event of the stream, its data as JSON. */
  send(type: string, data: unknown = {}, lastEventId = '') {
    this.dispatch(type, JSON.stringify(data), lastEventId)
  }

  /** The connection dropped: the browser retries by itself, or (`closed`) gives up. */
  fail({ closed = false } = {}) {
    this.readyState = closed ? 2 : 0
    this.dispatch('error', '')
  }

  private dispatch(type: string, data: string, lastEventId = '') {
    const event = new MessageEvent<string>(type, { data, lastEventId })
    for (const listener of this.listeners.get(type) ?? []) listener(event)
  }
}

export function fakeEventSources() {
  const opened: FakeEventSource[] = []
  return {
    opened,
    open: (url: string) => {
      const source = new FakeEventSource(url)
      opened.push(source)
      return source
    },
    /** The one source still open (there is at most one per page). */
    get current(): FakeEventSource {
      const open = opened.filter((source) => !source.closed)
      if (open.length !== 1) throw new Error(`${open.length} event sources are open`)
      return open[0] as FakeEventSource
    },
  }
}

export type FakeEventSources = ReturnType<typeof fakeEventSources>
