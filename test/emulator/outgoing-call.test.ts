import { describe, expect, test } from 'vitest'
import { callWithDeadline, DeadlinePassed } from '../../relay/emulator/notify/outgoing-call'

// Withings' calls to an app end by their deadline even when the abort never reaches the request
// (as when a garbage collection drops fetch's weak link to the signal: nodejs/undici#4068).

describe('an outgoing call of the emulator', () => {
  test('ends at its deadline even when the request never hears the abort', async () => {
    let seen: Request | undefined
    const deaf = (request: Request) => {
      seen = request
      return new Promise<Response>(() => {})
    }
    await expect(
      callWithDeadline(deaf, 'http://127.0.0.1:9/hook', { method: 'HEAD' }, 20),
    ).rejects.toBeInstanceOf(DeadlinePassed)
    // And the request it made is aborted too, so that a listening fetch lets its socket go.
    expect(seen?.signal.aborted).toBe(true)
  })

  test('answers with the response when the app answers in time', async () => {
    const answered = await callWithDeadline(
      async () => new Response('ignored', { status: 202 }),
      'http://127.0.0.1:9/hook',
      { method: 'POST', body: 'a=1' },
      1_000,
    )
    expect(answered.status).toBe(202)
  })
})
