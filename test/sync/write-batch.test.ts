import { describe, expect, test } from 'vitest'
import { createWriteBatch } from '../../relay/sync/jobs/write-batch'

// A burst of notifications is a few writes: what arrives in one turn of the event loop goes
// together, and what arrives while a write runs goes in the next.

function recordingWrites() {
  const writes: string[][] = []
  const releases: (() => void)[] = []
  const failNext: { now: boolean } = { now: false }
  const write = (items: string[]) => {
    writes.push(items)
    const failing = failNext.now
    failNext.now = false
    return new Promise<void>((resolve, reject) => {
      releases.push(() => (failing ? reject(new Error('database away')) : resolve()))
    })
  }
  return { writes, releases, failNext, write }
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

describe('a write batch', () => {
  test('gathers one turn, then whatever came while it was written', async () => {
    const { writes, releases, write } = recordingWrites()
    const batch = createWriteBatch(write)
    const first = [batch.add('a'), batch.add('b'), batch.add('c')]
    await turn()
    expect(writes).toEqual([['a', 'b', 'c']])
    const second = [batch.add('d'), batch.add('e')]
    await turn()
    // Nothing new is written while the first write runs.
    expect(writes).toHaveLength(1)
    releases[0]?.()
    await Promise.all(first)
    await turn()
    expect(writes).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ])
    releases[1]?.()
    await Promise.all(second)
  })

  test('a failed write fails its own items only; the next batch is written', async () => {
    const { writes, releases, failNext, write } = recordingWrites()
    const batch = createWriteBatch(write)
    failNext.now = true
    const lost = batch.add('a')
    await turn()
    const next = batch.add('b')
    releases[0]?.()
    await expect(lost).rejects.toThrow('database away')
    await turn()
    expect(writes).toEqual([['a'], ['b']])
    releases[1]?.()
    await expect(next).resolves.toBeUndefined()
  })

  test('starts again after an idle spell', async () => {
    const { writes, releases, write } = recordingWrites()
    const batch = createWriteBatch(write)
    const a = batch.add('a')
    await turn()
    releases[0]?.()
    await a
    await turn()
    const b = batch.add('b')
    await turn()
    expect(writes).toEqual([['a'], ['b']])
    releases[1]?.()
    await b
  })
})
