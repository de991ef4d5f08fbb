import { expect, test } from 'vitest'
import { createBackgroundTasks } from '../../relay/node/background-tasks'

const after = (ms: number, fail = false) =>
  new Promise<void>((resolve, reject) =>
    setTimeout(() => (fail ? reject(new Error('x')) : resolve()), ms),
  )

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
  expect(await tasks.settled()).toBe(true)
  expect(done).toEqual(['first', 'started meanwhile'])
  expect(tasks.size).toBe(0)
})

test('settled gives up after its timeout, saying so', async () => {
  const tasks = createBackgroundTasks()
  tasks.waitUntil(after(500))
  const started = performance.now()
  expect(await tasks.settled(30)).toBe(false)
  expect(performance.now() - started).toBeLessThan(300)
  expect(await tasks.settled()).toBe(true)
})
