import { setMaxListeners } from 'node:events'
import type { Hono } from 'hono'
import type { RelayConfig } from '../core/config'
import { createRelay, type RelayDeps } from '../core/create-relay'
import { errorKind } from '../core/error-kind'
import { jsonLogger, type Logger, type RelayEnv } from '../core/http/request-log'
import type { SharedStore } from '../core/store/shared-store'
import { createBackgroundTasks } from './background-tasks'
import { nodeConnectionAddress } from './connection-address'
import { createHttpUpstream } from './http-upstream'
import { nodeCipher } from './node-cipher'

// The relay as Node runs it, one wiring for `npm start`, `npm run dev`, the test stacks and any
// app on Node (withings-link/node): the road to Withings over kept-alive node:http connections,
// the cookie seal on node:crypto (both measured faster than fetch and Web Crypto by `npm run
// bench`), the connection's address for rate limits, and Redis as the shared store when
// REDIS_URL is set (memory otherwise).

/** createRelay's Hono app, plus what a graceful stop needs of the wiring. */
export type NodeRelay = Hono<RelayEnv> & Omit<NodeWiring, 'deps'>

/** `overrides` replace any part of the wiring (a test's clock, logger or store). */
export async function createNodeRelay(
  config: RelayConfig,
  overrides: RelayDeps = {},
): Promise<NodeRelay> {
  const { deps, ...stopping } = await nodeWiring(config, overrides)
  return Object.assign(createRelay(config, deps), stopping)
}

export interface NodeWiring {
  deps: RelayDeps
  /**
   * The first step of a graceful stop: open live streams tell their pages to reconnect (to
   * another instance) and end, so that the server can close.
   */
  shutDown(): void
  /** Waits, at most `timeoutMs`, for the work the relay goes on with after answering. */
  settled(timeoutMs?: number): Promise<boolean>
  /** Closes the kept-alive connections to Withings and the Redis connections. */
  close(): Promise<void>
}

/**
 * What createNodeRelay hands createRelay. The dev server makes it once and builds each relay it
 * restarts on it, so that connections and the store outlive the relay's code.
 */
export async function nodeWiring(
  config: RelayConfig,
  overrides: RelayDeps = {},
): Promise<NodeWiring> {
  const closers: (() => Promise<void>)[] = []
  const background = createBackgroundTasks()
  const shutdown = new AbortController()
  // Each pause between two Notify calls and each open live stream listens for the stop: two hundred
  // people signing in at once are two hundred listeners, no leak (Node warns past ten).
  setMaxListeners(0, shutdown.signal)
  let { fetch, store, sync } = overrides
  if (!fetch) {
    const upstream = createHttpUpstream()
    closers.push(async () => upstream.close())
    fetch = upstream.fetch
  }
  if (!store && config.redisUrl) {
    const redis = await openRedisStore(config.redisUrl, overrides.log ?? jsonLogger)
    closers.push(() => redis.close())
    store = redis
  }
  if (!sync && config.sync) {
    const { openNodeSync } = await import('./sync-wiring')
    const opened = await openNodeSync(
      { ...config, sync: config.sync },
      overrides.log ?? jsonLogger,
      overrides.now,
    )
    // First: the jobs stop before the connections they use close.
    closers.unshift(() => opened.close())
    sync = opened.sync
  }
  return {
    deps: {
      connectionAddress: nodeConnectionAddress,
      cookieCipher: nodeCipher,
      waitUntil: background.waitUntil,
      shutdown: shutdown.signal,
      ...overrides,
      fetch,
      ...(store && { store }),
      ...(sync && { sync }),
    },
    shutDown: () => shutdown.abort(),
    settled: (timeoutMs) => background.settled(timeoutMs),
    async close() {
      const [first, ...rest] = closers
      await first?.()
      await Promise.all(rest.map((close) => close()))
    },
  }
}

/** ioredis is an optional peer dependency: loaded only when REDIS_URL asks for Redis. */
async function openRedisStore(url: string, log: Logger): Promise<SharedStore> {
  let redis: typeof import('./redis-store')
  try {
    redis = await import('./redis-store')
  } catch (error) {
    const missing = error instanceof Error && /\bioredis\b/.test(error.message)
    if (!missing) throw error
    throw new Error('REDIS_URL is set but ioredis is not installed: run `npm install ioredis`.', {
      cause: error,
    })
  }
  return redis.createRedisStore({
    url,
    onError: (error) =>
      log({
        level: 'error',
        msg: 'shared store unavailable',
        cause: errorKind(error),
      }),
  })
}
