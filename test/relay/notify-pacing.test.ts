import { afterEach, describe, expect, test, vi } from 'vitest'
import { timerPause } from '../../relay/core/notify/pacing'

// The pause between two Notify calls: the time it is asked for, unless the relay is stopping,
// which must not wait out Withings' pace (a drain waits only for the calls under way).

afterEach(() => {
  vi.useRealTimers()
})

describe('timerPause', () => {
  test('waits the time asked for, then says it waited', async () => {
    vi.useFakeTimers()
    let waited: boolean | undefined
    void timerPause()(5_000).then((value) => {
      waited = value
    })
    await vi.advanceTimersByTimeAsync(4_999)
    expect(waited).toBeUndefined()
    await vi.advanceTimersByTimeAsync(1)
    expect(waited).toBe(true)
  })

  test('a shutdown cuts it short: false at once, and no later pause waits', async () => {
    vi.useFakeTimers()
    const stopping = new AbortController()
    const pause = timerPause(stopping.signal)
    let waited: boolean | undefined
    void pause(5_000).then((value) => {
      waited = value
    })
    await vi.advanceTimersByTimeAsync(1_000)
    stopping.abort()
    await vi.advanceTimersByTimeAsync(0)
    expect(waited).toBe(false)
    expect(await pause(5_000)).toBe(false)
    expect(vi.getTimerCount()).toBe(0)
  })
})
