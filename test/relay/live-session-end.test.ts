import { afterEach, describe, expect, test } from 'vitest'
import { createMemoryStore } from '../../relay/core/store/memory-store'
import type { SharedStore } from '../../relay/core/store/shared-store'
import { createApiClient } from '../support/api-client'
import { SESSION_COOKIE } from '../support/cookies'
import { type LiveStream, openLiveStream } from '../support/live-stream'
import { connect } from '../support/login'
import { fakeClock, type Stack, type StackOptions, startStack } from '../support/stack'

// An open live stream lives no longer than its session: it ends at the session's absolute end,
// when Disconnect ends the session even if the news is lost on the way, and when the session is
// discarded because Withings refused its refresh.

let stack: Stack
const streams: LiveStream[] = []
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close()
  await stack?.close()
})

const HEARTBEAT_MS = 30

async function connectedWithStream(options: StackOptions = {}) {
  stack = await startStack({ liveLimits: { heartbeatMs: HEARTBEAT_MS }, ...options })
  const api = createApiClient(stack.appUrl)
  const answer = await connect(stack, api, { scopes: ['user.metrics'] })
  expect(answer.status).toBe(200)
  const stream = await openLiveStream(api)
  streams.push(stream)
  expect(stream.status).toBe(200)
  return { api, stream, view: await answer.json() }
}

/** Ends with `ended`, the last frame: the page shows the disconnected state. */
async function endsWithEnded(stream: LiveStream) {
  await stream.ended
  expect(stream.frames.at(-1)?.event).toBe('ended')
}

describe('a live stream and its session', () => {
  test("closes at the session's absolute end, though it opened before it", async () => {
    const clock = fakeClock()
    const { stream, view } = await connectedWithStream({
      now: clock.now,
      relay: { sessionLifetimeSeconds: 3_600 },
    })
    clock.advance(view.session_ends_at * 1000 - clock.now() - 1_000)
    // Heartbeats go on while the session has a second left…
    const beats = stream.comments.length
    await new Promise((resolve) => setTimeout(resolve, 4 * HEARTBEAT_MS))
    expect(stream.comments.length).toBeGreaterThan(beats)
    expect(stream.frames).toEqual([])
    // …and the first one after its end closes the stream.
    clock.advance(1_000)
    await endsWithEnded(stream)
  })

  test('re-checks the session at each heartbeat: a Disconnect whose news was lost still ends it', async () => {
    // A store whose pub/sub loses every message (a Redis failover between instances, say).
    const memory = createMemoryStore()
    const deaf: SharedStore = { ...memory, publish: async () => {} }
    const { api, stream } = await connectedWithStream({ store: deaf })
    const copy = api.jar.get(SESSION_COOKIE)
    expect(await (await api.post('/api/auth/logout')).json()).toEqual({ withings_informed: true })
    await endsWithEnded(stream)
    // A stream opened with a copy of the cookie after it is refused.
    const thief = createApiClient(stack.appUrl)
    thief.jar.set(SESSION_COOKIE, copy ?? '')
    expect((await openLiveStream(thief)).status).toBe(401)
  })

  test('ends when Withings refuses the refresh and the session is discarded', async () => {
    const clock = fakeClock()
    const { api, stream, view } = await connectedWithStream({ now: clock.now })
    clock.advance(view.refresh_at * 1000 - clock.now())
    stack.emulator.faults.inject(
      { type: 'status', status: 100, error: 'invalid refresh_token' },
      { on: 'token', times: 1 },
    )
    expect((await api.post('/api/auth/session')).status).toBe(204)
    await endsWithEnded(stream)
  })
})
