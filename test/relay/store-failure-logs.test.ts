import { afterAll, beforeAll, expect, test } from 'vitest'
import { createMemoryStore } from '../../relay/core/store/memory-store'
import { type SharedStore, StoreUnavailable } from '../../relay/core/store/shared-store'
import { createApiClient } from '../support/api-client'
import { openLiveStream } from '../support/live-stream'
import { connect, startLogin } from '../support/login'
import { type Stack, startStack } from '../support/stack'

// Every place the relay logs a failure of its shared store, while the store's errors carry a
// token-like text in their message, their code and their cause (as a Redis reply that echoes a
// key could): each line says the failure's kind and nothing of its text.

const CANARY = 'canary0token1a2b3c4d5e6f7a8b9c0d1e2f3a4b5'

let failing = false
const memory = createMemoryStore()
const leaky = () =>
  new StoreUnavailable(`Redis said ${CANARY}`, {
    cause: Object.assign(new Error(`ERR ${CANARY}`), { code: CANARY }),
  })
/** The memory store, until `failing`: then every operation rejects with a leaky error. */
const store = new Proxy(memory, {
  get(target, name: keyof SharedStore) {
    const operation = target[name]
    return (...args: never[]) =>
      failing && name !== 'close'
        ? Promise.reject(leaky())
        : (operation as (...args: never[]) => unknown).apply(target, args)
  },
})

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ store })
})
afterAll(async () => {
  failing = false
  await stack?.close()
})

test('store failures are logged by kind: no message, no token-like code', async () => {
  const api = createApiClient(stack.appUrl)
  expect((await connect(stack, api)).status).toBe(200)
  failing = true
  const status = await api.request('/api/notify')
  expect(status.status).toBe(200)
  const live = await openLiveStream(api, { headers: { 'last-event-id': '1' } })
  live.close()
  await api.post('/api/withings/measure', { action: 'getmeas' })
  const out = await api.post('/api/auth/logout')
  // The session's end cannot be recorded: Disconnect says so, and may be tried again.
  expect(out.status).toBe(503)
  expect((await out.json()).error.code).toBe('disconnect_incomplete')
  await stack.settled()

  const failures = stack.logs.filter((line) => line.cause !== undefined)
  expect(failures.map((line) => line.msg)).toEqual(
    expect.arrayContaining([
      'ended-session check skipped',
      "app budget counted in this instance's memory",
      'Disconnect could not record the end of this session just now: try again.',
    ]),
  )
  for (const line of failures) {
    expect(line.cause, line.msg).toBe('StoreUnavailable store_unavailable <- Error')
  }
  expect(JSON.stringify(stack.logs)).not.toContain(CANARY)
})

test('a sign-in the store cannot check is refused, retryable: a spent state must not be spent twice', async () => {
  const api = createApiClient(stack.appUrl)
  const { body } = await startLogin(stack, api)
  failing = true
  const answer = await api.post('/api/auth/token', body)
  failing = false
  expect(answer.status).toBe(503)
  expect((await answer.json()).error).toEqual({
    code: 'relay_unavailable',
    message: 'The relay cannot check this sign-in just now: try again.',
    retryable: true,
  })
  const id = answer.headers.get('x-request-id')
  expect(
    stack.logs.find((line) => line.id === id && line.code === 'relay_unavailable'),
  ).toMatchObject({ level: 'error', cause: 'StoreUnavailable store_unavailable <- Error' })
})
