import { afterEach, beforeEach, expect, test, vi } from 'vitest'
import { createBackgroundTasks } from '../../relay/node/background-tasks'

// On fake timers (Date and setTimeout): each wait is exact, whatever the machine's load.
beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

const after = (ms: number, fail = false) =>
  new Promise<void>((resolve, reject) =>
    setTimeout(() => (fail ? reject(new Error('x')) : resolve()), ms),
  )

/** Whether `promise` has settled yet, and with what. */
function watch<T>(promise: Promise<T>) {
  const seen: { settled: boolean; value?: T } = { settled: false }
  void promise.then((value) => Object.assign(seen, { settled: true, value }))
  return seen
}

test('settled waits for every task, those started meanwhile too; a failure is no unhandled rejection', async () => {
  const tasks = createBackgroundTasks()
  const done: string[] = []
  tasks.waitUntil(after(20).then(() => done.push('first')))
  tasks.waitUntil(
    after(10).then(() => {
      tasks.waitUntil(after(30).then(() => done.push('started meanwhile')))
    }),
  )
  tasks.waitUntil(after(5, true))
  expect(tasks.size).toBe(3)
  const settled = watch(tasks.settled())
  await vi.advanceTimersByTimeAsync(39)
  expect(settled).toEqual({ settled: false })
  expect(done).toEqual(['first'])
  await vi.advanceTimersByTimeAsync(1)
  expect(settled).toEqual({ settled: true, value: true })
  expect(done).toEqual(['first', 'started meanwhile'])
  expect(tasks.size).toBe(0)
})

test('settled gives up after its timeout, saying so', async () => {
  const tasks = createBackgroundTasks()
  tasks.waitUntil(after(500))
  const givenUp = watch(tasks.settled(30))
  await vi.advanceTimersByTimeAsync(29)
  expect(givenUp).toEqual({ settled: false })
  await vi.advanceTimersByTimeAsync(1)
  expect(givenUp).toEqual({ settled: true, value: false })
  expect(tasks.size).toBe(1)
  const all = watch(tasks.settled())
  await vi.advanceTimersByTimeAsync(470)
  expect(all).toEqual({ settled: true, value: true })
})

test('with nothing under way, settled answers at once, even with no time to wait', async () => {
  const tasks = createBackgroundTasks()
  expect(await tasks.settled(0)).toBe(true)
  tasks.waitUntil(after(1))
  expect(await tasks.settled(0)).toBe(false)
})
