import type { LiveNotification } from '../../contract/wire-contract'
import { errorKind } from '../error-kind'
import { RelayError } from '../errors'
import type { Logger } from '../http/request-log'
import type { SharedStore } from '../store/shared-store'
import { type PersonChannel, type PersonMessage, parsePersonMessage } from './person-channel'

// The person's open pages, as Server-Sent Events (WHATWG HTML, "Server-sent events"): one
// stream per page, held by whichever instance the page reached, fed from the person's channel.
// Each notification gets an id and is kept a few minutes, so a page that reconnects with
// Last-Event-ID gets what it missed. A page that opens afresh reads its data itself, but there is
// nothing to read for the bed (Withings has no call for it), so it gets the last bed in or bed
// out of the past day. Streams are bounded per person and per instance, get a
// comment line as heartbeat (proxies close quiet connections), close when their session ends —
// at its absolute end, when Disconnect or a refused refresh ends it on any instance, and, should
// that news be lost, at the next heartbeat, which asks the store once per person — and, when the
// relay shuts down, are told to come back.

export interface EventStreamLimits {
  /** Streams this instance holds at most; past it, 503 relay_unavailable. Default 5,000. */
  maxStreams?: number
  /** Streams of one person on this instance; past it, 429 rate_limited. Default 10. */
  maxStreamsPerPerson?: number
  /** A comment line this often. Default 20 s. */
  heartbeatMs?: number
  /** How long notifications are kept for replay. Default 5 minutes. */
  replayMs?: number
  /** How long a browser waits before reconnecting (the stream's `retry:`). Default 3 s. */
  retryMs?: number
}

/** Who a stream is for, and until when: no token. */
export interface StreamSession {
  id: string
  userid: string
  /** The person's sign-in number the session came from (a Disconnect ends those through one). */
  gen: number
  /** Seconds since the epoch: the session's absolute end. */
  endsAt: number
}

export interface EventStreams {
  /** A stream for this session's pages, replaying what came after `lastEventId`; or throws. */
  open(session: StreamSession, lastEventId: string | undefined): Promise<Response>
  /** Keeps a notification for replay and sends it to the person's pages on every instance. */
  deliver(userid: string, notification: LiveNotification): Promise<void>
  /** Streams open on this instance. */
  readonly size: number
}

export interface EventStreamsOptions extends EventStreamLimits {
  store: SharedStore
  channel: PersonChannel
  /** The sign-in number through which this person's sessions ended (undefined: none, or unknown). */
  endedThrough: (userid: string) => Promise<number | undefined>
  /** Aborted when the relay shuts down: streams say goodbye and close. */
  shutdown?: AbortSignal | undefined
  now: () => number
  log: Logger
}

interface Stream {
  userid: string
  session: string
  gen: number
  endsAt: number
  controller: ReadableStreamDefaultController<Uint8Array>
  /** Live messages that arrived while the replay was read, sent after it. */
  held: PersonMessage[] | undefined
}

interface Person {
  streams: Set<Stream>
  /** Streams still opening (waiting for the subscription or the replay). */
  opening: number
  subscribed: Promise<() => Promise<void>>
}

/** Matches the ids made below: sortable by time, then a random part. */
const EVENT_ID = /^[0-9a-z]{9}-[0-9a-f]{8}$/
const REPLAY_ITEMS = 50
/** Frames a page may leave unread before its stream is dropped (a stalled tab). */
const MAX_UNREAD = 256
const encoder = new TextEncoder()
const HEARTBEAT = encoder.encode(': heartbeat\n\n')
const ENDED = encoder.encode('event: ended\ndata: {}\n\n')

export const isEventId = (text: string) => EVENT_ID.test(text)

const replayKey = (userid: string) => `live:${userid}`
const bedKey = (userid: string) => `live-bed:${userid}`
const BED_MEMORY_MS = 24 * 3_600_000

export function createEventStreams(options: EventStreamsOptions): EventStreams {
  const {
    store,
    channel,
    endedThrough,
    shutdown,
    now,
    log,
    maxStreams = 5_000,
    maxStreamsPerPerson = 10,
    heartbeatMs = 20_000,
    replayMs = 5 * 60_000,
    retryMs = 3_000,
  } = options
  const people = new Map<string, Person>()
  let size = 0
  let opening = 0
  let heartbeat: ReturnType<typeof setInterval> | undefined
  let checking = false

  const everyStream = function* () {
    for (const person of people.values()) yield* person.streams
  }

  function send(stream: Stream, frame: Uint8Array) {
    try {
      stream.controller.enqueue(frame)
    } catch {
      return // closed meanwhile
    }
    if ((stream.controller.desiredSize ?? 0) < -MAX_UNREAD) close(stream, undefined)
  }

  function close(stream: Stream, goodbye: Uint8Array | undefined) {
    if (goodbye) send(stream, goodbye)
    try {
      stream.controller.close()
    } catch {
      // already closed
    }
    forget(stream)
  }

  function forget(stream: Stream) {
    const person = people.get(stream.userid)
    if (person?.streams.delete(stream)) {
      size--
      leaveIfEmpty(stream.userid, person)
    }
    if (size === 0 && heartbeat !== undefined) {
      clearInterval(heartbeat)
      heartbeat = undefined
    }
  }

  function leaveIfEmpty(userid: string, person: Person) {
    if (person.streams.size > 0 || person.opening > 0 || people.get(userid) !== person) return
    people.delete(userid)
    void person.subscribed.then(
      (unsubscribe) => unsubscribe(),
      () => {},
    )
  }

  function personOf(userid: string): Person {
    const existing = people.get(userid)
    if (existing) return existing
    const streams = new Set<Stream>()
    const subscribed = channel.subscribe(userid, (message) => onMessage(streams, message))
    // Awaited by every stream that opens; a failure nobody awaits any more is not unhandled.
    subscribed.catch(() => {})
    const person: Person = { streams, opening: 0, subscribed }
    people.set(userid, person)
    return person
  }

  function onMessage(streams: Set<Stream>, message: PersonMessage) {
    const frame = frameOf(message)
    for (const stream of [...streams]) {
      if (message.type === 'ended') {
        const { session, upTo } = message
        if (stream.session === session || (upTo !== undefined && stream.gen <= upTo)) {
          close(stream, frame)
        }
      } else if (stream.held) {
        stream.held.push(message)
      } else {
        send(stream, frame)
      }
    }
  }

  /** Each heartbeat: streams past their session's end close, the others get a comment line. */
  function beat() {
    const at = Math.floor(now() / 1000)
    for (const stream of [...everyStream()]) {
      if (stream.endsAt <= at) close(stream, ENDED)
      else send(stream, HEARTBEAT)
    }
    if (!checking) void recheck()
  }

  /** Asks the store, once per person, whether a Disconnect ended their streams' sessions. */
  async function recheck() {
    checking = true
    try {
      await Promise.all(
        [...people].map(async ([userid, person]) => {
          if (person.streams.size === 0) return
          const through = await endedThrough(userid)
          if (through === undefined) return
          for (const stream of [...person.streams]) {
            if (stream.gen <= through) close(stream, ENDED)
          }
        }),
      )
    } finally {
      checking = false
    }
  }

  shutdown?.addEventListener(
    'abort',
    () => {
      const goodbye = encoder.encode(
        `retry: ${retryMs}\nevent: reconnect\ndata: {"reason":"shutting_down"}\n\n`,
      )
      for (const stream of [...everyStream()]) close(stream, goodbye)
    },
    { once: true },
  )

  async function replay(userid: string, lastEventId: string | undefined) {
    let items: string[]
    try {
      if (lastEventId === undefined) {
        const bed = await store.get(bedKey(userid))
        items = bed === undefined ? [] : [bed]
      } else {
        items = await store.list(replayKey(userid))
      }
    } catch (cause) {
      log({ level: 'warn', msg: 'live replay skipped', cause: errorKind(cause) })
      return []
    }
    const kept = items.flatMap((item) => {
      const message = parseKept(item)
      return message ? [message] : []
    })
    if (lastEventId === undefined) return kept
    const seen = kept.findIndex((message) => message.id === lastEventId)
    return seen >= 0 ? kept.slice(seen + 1) : kept.filter((message) => message.id > lastEventId)
  }

  return {
    get size() {
      return size
    },

    async open(session, lastEventId) {
      if (shutdown?.aborted) {
        throw new RelayError('shutting_down', 'The relay is shutting down: reconnect.', {
          retryAfter: 1,
        })
      }
      const { userid, gen, endsAt } = session
      if (size + opening >= maxStreams) {
        throw new RelayError(
          'relay_unavailable',
          `This relay instance holds as many live streams as it may (${maxStreams}): try again later.`,
          { retryAfter: 5 },
        )
      }
      const person = personOf(userid)
      if (person.streams.size + person.opening >= maxStreamsPerPerson) {
        throw new RelayError(
          'rate_limited',
          `This person already has ${maxStreamsPerPerson} pages with live updates open here: close one.`,
          { retryAfter: 30 },
        )
      }
      // The slot is held while the subscription is made, so that the person stays listened to.
      person.opening++
      opening++
      const subscribed = await person.subscribed.then(
        () => true,
        () => false,
      )
      person.opening--
      opening--
      if (!subscribed) {
        leaveIfEmpty(userid, person)
        throw new RelayError(
          'relay_unavailable',
          'Live updates are unavailable for a moment: reconnect shortly.',
          { retryAfter: 2 },
        )
      }

      let stream: Stream | undefined
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          stream = { userid, session: session.id, gen, endsAt, controller, held: [] }
          controller.enqueue(encoder.encode(`retry: ${retryMs}\n: connected\n\n`))
        },
        cancel() {
          if (stream) forget(stream)
        },
      })
      if (!stream) throw new Error('ReadableStream did not start')
      const opened = stream
      person.streams.add(opened)
      size++
      heartbeat ??= setInterval(beat, heartbeatMs)

      // Ids replayed: a live message that arrived meanwhile may repeat one.
      const replayed = new Set<string>()
      for (const message of await replay(userid, lastEventId)) {
        replayed.add(message.id)
        send(opened, frameOf(message))
      }
      const held = opened.held ?? []
      opened.held = undefined
      for (const message of held) {
        if (message.type !== 'notify' || !replayed.has(message.id)) send(opened, frameOf(message))
      }
      return new Response(body, {
        headers: {
          'content-type': 'text/event-stream; charset=utf-8',
          // nginx buffers proxied answers unless told not to.
          'x-accel-buffering': 'no',
        },
      })
    },

    async deliver(userid, notification) {
      const id = `${now().toString(36).padStart(9, '0')}-${randomHex(4)}`
      const message: PersonMessage = { type: 'notify', id, notification }
      const text = JSON.stringify(message)
      const kept: Promise<unknown>[] = [
        store.append(replayKey(userid), text, { max: REPLAY_ITEMS, ttlMs: replayMs }),
      ]
      if (notification.kind === 'bed_in' || notification.kind === 'bed_out') {
        kept.push(store.set(bedKey(userid), text, { ttlMs: BED_MEMORY_MS }))
      }
      await Promise.all(kept).catch((cause: unknown) => {
        log({
          level: 'warn',
          msg: 'live notification not kept for replay',
          cause: errorKind(cause),
        })
      })
      await channel.publish(userid, message)
    },
  }
}

function frameOf(message: PersonMessage): Uint8Array {
  switch (message.type) {
    case 'notify':
      return encoder.encode(
        `id: ${message.id}\nevent: notify\ndata: ${JSON.stringify(message.notification)}\n\n`,
      )
    case 'subscription':
      return encoder.encode('event: subscription\ndata: {}\n\n')
    case 'ended':
      return ENDED
    case 'stored':
      return encoder.encode(`event: stored\ndata: ${JSON.stringify(message.news)}\n\n`)
  }
}

function parseKept(item: string) {
  const message = parsePersonMessage(item)
  return message?.type === 'notify' ? message : undefined
}

function randomHex(bytes: number): string {
  return [...crypto.getRandomValues(new Uint8Array(bytes))]
    .map((byte) => byte.toString(16).padStart(2, '0'))
    .join('')
}
