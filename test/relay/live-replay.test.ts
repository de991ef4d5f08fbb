import { afterEach, describe, expect, test } from 'vitest'
import { createMemoryStore } from '../../relay/core/store/memory-store'
import type { SharedStore } from '../../relay/core/store/shared-store'
import { type ApiClient, createApiClient } from '../support/api-client'
import { type LiveStream, openLiveStream } from '../support/live-stream'
import { connect } from '../support/login'
import { type Stack, startStack } from '../support/stack'

// The person's live stream at its edges: what a reconnecting page is given back, what the
// person's channel lets through, what happens while the replay is being read, and when the relay
// stops listening. Over real HTTP; the shared store is the memory store, watched or held.

const DEMO = 363

let stack: Stack
const streams: LiveStream[] = []
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close()
  await stack?.close()
})

async function connected(store?: SharedStore) {
  stack = await startStack({ liveLimits: { heartbeatMs: 60_000 }, ...(store && { store }) })
  const api = createApiClient(stack.appUrl)
  expect((await connect(stack, api, { scopes: ['user.sleepevents'] })).status).toBe(200)
  return api
}

async function live(api: ApiClient, headers: Record<string, string> = {}) {
  const stream = await openLiveStream(api, { headers })
  streams.push(stream)
  return stream
}

/** Withings notifying a bed event (51: out, 50: in) at `date`, straight to the callback. */
async function bedEvent(date: number, appli = '51') {
  const url = stack.emulator.notifications.subscriptions.find((s) => s.userid === DEMO)?.callbackurl
  if (!url) throw new Error('nothing subscribed')
  const answer = await fetch(url, {
    method: 'POST',
    body: new URLSearchParams({ userid: String(DEMO), appli, date: String(date) }),
  })
  expect(answer.status).toBe(200)
}

const datesOf = (stream: LiveStream) =>
  stream.notifications().map((notification) => (notification as { date: number }).date)

/** Every frame up to the notification of `date`, which the test sends after what it checks. */
async function framesUntil(stream: LiveStream, date: number) {
  await bedEvent(date)
  await stream.next((frame) => frame.event === 'notify' && frame.data.includes(`${date}`))
  return stream.frames.map((frame) => frame.event)
}

describe('what a page that (re)connects is given', () => {
  test('a Last-Event-ID it no longer knows: only what is newer; a malformed one: a fresh page', async () => {
    const api = await connected()
    await bedEvent(1_700_000_001, '50')
    await bedEvent(1_700_000_002, '51')
    await stack.settled()
    const oldest = await live(api, { 'last-event-id': '000000000-00000000' })
    const newest = await live(api, { 'last-event-id': 'zzzzzzzzz-ffffffff' })
    await framesUntil(oldest, 1_700_000_003)
    await newest.next((frame) => frame.data.includes('1700000003'))
    expect(datesOf(oldest)).toEqual([1_700_000_001, 1_700_000_002, 1_700_000_003])
    expect(datesOf(newest)).toEqual([1_700_000_003])

    // Ids are checked whole: with a character before or after, it is no id, and the page is new
    // (it gets the person's last bed event only).
    const id = oldest.frames[0]?.id ?? ''
    expect(id).toMatch(/^[0-9a-z]{9}-[0-9a-f]{8}$/)
    const before = await live(api, { 'last-event-id': `x${id}` })
    await framesUntil(before, 1_700_000_010)
    expect(datesOf(before)).toEqual([1_700_000_003, 1_700_000_010])
    const after = await live(api, { 'last-event-id': `${id}x` })
    await framesUntil(after, 1_700_000_011)
    expect(datesOf(after)).toEqual([1_700_000_010, 1_700_000_011])
  })

  test('a notification that arrives while the replay is read is sent once, after it', async () => {
    const memory = createMemoryStore()
    let release: () => void = () => {}
    let held: Promise<void> | undefined
    let listed: () => void = () => {}
    const listing = new Promise<void>((resolve) => {
      listed = resolve
    })
    const store: SharedStore = {
      ...memory,
      list: async (key) => {
        if (held) {
          listed()
          await held
        }
        return memory.list(key)
      },
    }
    const api = await connected(store)
    await bedEvent(1_700_000_001)
    await stack.settled()
    held = new Promise<void>((resolve) => {
      release = resolve
    })
    const opening = live(api, { 'last-event-id': '000000000-00000000' })
    await listing
    // Kept for replay and published while the replay waits: the stream holds it back.
    await bedEvent(1_700_000_002)
    await stack.settled()
    release()
    const stream = await opening
    await stream.next((frame) => frame.data.includes('1700000002'))
    expect(await framesUntil(stream, 1_700_000_003)).toEqual(['notify', 'notify', 'notify'])
    expect(datesOf(stream)).toEqual([1_700_000_001, 1_700_000_002, 1_700_000_003])
  })
})

describe("the person's channel", () => {
  test('lets through only the messages it knows, whoever published them', async () => {
    const memory = createMemoryStore()
    const api = await connected(memory)
    const stream = await live(api)
    const notification = { appli: 51, kind: 'bed_out', date: 1_700_000_000 }
    for (const text of [
      'not json',
      '[{"type":"subscription"}]',
      'null',
      '{"type":"notify","notification":{"appli":51,"kind":"bed_out","date":1700000000}}',
      `{"type":"notify","id":"000000001-00000000","notification":{"appli":51}}`,
      '{"type":"ended"}',
      '{"type":"ended","session":42}',
      '{"type":"nonsense"}',
      '{"type":"subscription"}',
      JSON.stringify({ type: 'notify', id: '000000002-00000000', notification }),
    ]) {
      await memory.publish(`person:${DEMO}`, text)
    }
    await stream.next((frame) => frame.event === 'notify')
    expect(stream.frames.map(({ event, id }) => ({ event, id }))).toEqual([
      { event: 'subscription', id: undefined },
      { event: 'notify', id: '000000002-00000000' },
    ])
    expect(stream.notifications()).toEqual([notification])
  })

  test('is listened to while a page is open, and let go once the last one closes', async () => {
    const memory = createMemoryStore()
    const listening = { subscribed: 0, unsubscribed: 0 }
    const store: SharedStore = {
      ...memory,
      subscribe: async (channel, onMessage) => {
        const unsubscribe = await memory.subscribe(channel, onMessage)
        if (!channel.startsWith('person:')) return unsubscribe
        listening.subscribed++
        return async () => {
          listening.unsubscribed++
          await unsubscribe()
        }
      },
    }
    const api = await connected(store)
    const [first, second] = [await live(api), await live(api)]
    expect(listening).toEqual({ subscribed: 1, unsubscribed: 0 })
    first.close()
    await first.ended
    await bedEvent(1_700_000_001)
    await second.next((frame) => frame.event === 'notify')
    expect(listening).toEqual({ subscribed: 1, unsubscribed: 0 })
    second.close()
    await expect.poll(() => listening.unsubscribed).toBe(1)
    const third = await live(api)
    expect(third.status).toBe(200)
    expect(listening).toEqual({ subscribed: 2, unsubscribed: 1 })
  })
})

describe('when the relay cannot keep up', () => {
  test('past the streams an instance holds: 503, and when to come back', async () => {
    stack = await startStack({ liveLimits: { maxStreams: 1 } })
    const api = createApiClient(stack.appUrl)
    expect((await connect(stack, api, { scopes: ['user.sleepevents'] })).status).toBe(200)
    expect((await live(api)).status).toBe(200)
    const refused = await live(api)
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('5')
    expect((await refused.json()).error).toEqual({
      code: 'relay_unavailable',
      message: 'This relay instance holds as many live streams as it may (1): try again later.',
      retryable: true,
      retry_after: 5,
    })
  })

  test('shutting down: a new stream is told to come back in a second', async () => {
    const api = await connected()
    stack.shutDown()
    const refused = await live(api)
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toBe('1')
    expect((await refused.json()).error.code).toBe('shutting_down')
  })

  test('a store that cannot list or keep: the stream opens, the notification still arrives live', async () => {
    const memory = createMemoryStore()
    let failing = false
    const fail = async () => {
      throw new Error('down')
    }
    const store: SharedStore = {
      ...memory,
      list: (key) => (failing ? fail() : memory.list(key)),
      append: (key, item, options) => (failing ? fail() : memory.append(key, item, options)),
    }
    const api = await connected(store)
    failing = true
    const stream = await live(api, { 'last-event-id': '000000000-00000000' })
    expect(stream.status).toBe(200)
    await bedEvent(1_700_000_001)
    await stream.next((frame) => frame.event === 'notify')
    expect(datesOf(stream)).toEqual([1_700_000_001])
    await stack.settled()
    const warnings = stack.logs.filter((line) => line.level === 'warn').map((line) => line.msg)
    expect(warnings).toContain('live replay skipped')
    expect(warnings).toContain('live notification not kept for replay')
  })
})
