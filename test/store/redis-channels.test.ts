import Redis from 'ioredis'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import type { SharedStore } from '../../relay/core/store/shared-store'
import { createRedisStore } from '../../relay/node/redis-store'
import { startRedis, type TestRedis } from '../support/redis'

// One Redis subscription per channel however many listen on an instance, kept while one does
// and dropped at Redis when the last one leaves, as Redis itself counts them (PUBSUB NUMSUB).

let redis: TestRedis
let admin: Redis
let store: SharedStore
beforeAll(async () => {
  redis = await startRedis()
  admin = new Redis(redis.url)
  store = createRedisStore({ url: redis.url, prefix: 'channels:' })
})
afterAll(async () => {
  await store?.close()
  admin?.disconnect()
  await redis?.stop()
})

const subscribersAtRedis = async (channel: string) => {
  const [, count] = (await admin.call('PUBSUB', 'NUMSUB', `channels:${channel}`)) as [
    string,
    number,
  ]
  return count
}

describe('channels of the Redis store', () => {
  test('one subscription at Redis for every listener of a channel, dropped with the last', async () => {
    const heard: string[] = []
    const leaveA = await store.subscribe('person:1', (message) => heard.push(`a ${message}`))
    const leaveB = await store.subscribe('person:1', (message) => heard.push(`b ${message}`))
    expect(await subscribersAtRedis('person:1')).toBe(1)

    await leaveA()
    await leaveA() // leaving twice changes nothing
    expect(await subscribersAtRedis('person:1')).toBe(1)
    await store.publish('person:1', 'one')
    await vi.waitFor(() => expect(heard).toEqual(['b one']))

    await leaveB()
    expect(await subscribersAtRedis('person:1')).toBe(0)
    // Listening again subscribes again.
    const leaveC = await store.subscribe('person:1', (message) => heard.push(`c ${message}`))
    expect(await subscribersAtRedis('person:1')).toBe(1)
    await store.publish('person:1', 'two')
    await vi.waitFor(() => expect(heard).toEqual(['b one', 'c two']))
    await leaveC()
  })

  test('a listener that leaves while a message is handed out is not called with it', async () => {
    const heard: string[] = []
    let leaveSecond: () => Promise<void> = async () => {}
    const leaveFirst = await store.subscribe('person:2', (message) => {
      heard.push(`first ${message}`)
      void leaveSecond()
    })
    leaveSecond = await store.subscribe('person:2', (message) => heard.push(`second ${message}`))
    await store.publish('person:2', 'x')
    await vi.waitFor(() => expect(heard).toContain('first x'))
    await store.publish('person:2', 'marker')
    await vi.waitFor(() => expect(heard).toContain('first marker'))
    expect(heard).toEqual(['first x', 'first marker'])
    await leaveFirst()
  })

  test('a listener that throws is reported, and the others still hear the message', async () => {
    const errors: unknown[] = []
    const reporting = createRedisStore({
      url: redis.url,
      prefix: 'channels:',
      onError: (error) => errors.push(error),
    })
    try {
      const heard: string[] = []
      await reporting.subscribe('person:3', () => {
        throw new RangeError('a listener bug')
      })
      await reporting.subscribe('person:3', (message) => heard.push(message))
      await reporting.publish('person:3', 'y')
      await vi.waitFor(() => expect(heard).toEqual(['y']))
      expect(errors).toEqual([expect.any(RangeError)])
    } finally {
      await reporting.close()
    }
  })
})
