// The shared store over Redis (or Valkey), for several relay instances. It stores what it is
// given: callers hand it counters, spent-state markers and notification hints, never a token.
//
// Fail fast: no offline queue, and every operation settles within `commandTimeoutMs` — rejecting
// with StoreUnavailable at once while the connection is known to be lost — while ioredis
// reconnects in the background with a capped backoff. Connection errors go to `onError` (once
// per outage), never to an unhandled 'error' event. Pub/sub has its own connection (a RESP2
// connection that subscribes can run nothing else), and this store subscribes its channels again
// whenever that connection is ready again.

import { createHash } from 'node:crypto'
import Redis, { type RedisOptions } from 'ioredis'
import { parseRedisUrl } from '../core/store/redis-url'
import { checkCount, type SharedStore, StoreUnavailable } from '../core/store/shared-store'
import { checkTakeArguments, retryAfterMs } from '../core/store/sliding-window'

const DEFAULT_COMMAND_TIMEOUT_MS = 500
const MAX_RECONNECT_DELAY_MS = 1_000
const CONNECT_TIMEOUT_MS = 3_000

export interface RedisStoreOptions {
  /** redis:// or rediss:// (see parseRedisUrl). */
  url: string
  /** Put before every key and channel, so that apps can share one Redis. */
  prefix?: string
  commandTimeoutMs?: number
  /**
   * The clock windows are counted on. By default the Redis server's, one clock for every
   * instance; tests inject theirs. Expiry of markers and lists always follows Redis's clock.
   */
  now?: () => number
  /** Told of a lost connection (once per outage) and of exceptions a subscriber throws. */
  onError?: (error: unknown) => void
}

// A twin of sliding-window.ts's countsAt and allows, run atomically where the counter lives.
// One hash per key: the window last counted in, its count, and the window before's count.
const TAKE_SCRIPT = `
local limit, windowMs = tonumber(ARGV[1]), tonumber(ARGV[2])
local now = tonumber(ARGV[3])
if not now then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local window = math.floor(now / windowMs)
local elapsed = now - window * windowMs
local stored = redis.call('HMGET', KEYS[1], 'window', 'count', 'previous')
local current, previous = 0, 0
if tonumber(stored[1]) == window then
  current, previous = tonumber(stored[2]), tonumber(stored[3])
elseif tonumber(stored[1]) == window - 1 then
  previous = tonumber(stored[2])
end
if current * windowMs + previous * (windowMs - elapsed) >= limit * windowMs then
  return {0, current, previous, elapsed}
end
redis.call('HSET', KEYS[1], 'window', window, 'count', current + 1, 'previous', previous)
redis.call('PEXPIRE', KEYS[1], 2 * windowMs - elapsed)
return {1, current, previous, elapsed}
`
const TAKE_SHA = createHash('sha1').update(TAKE_SCRIPT).digest('hex')

interface Listener {
  onMessage: (message: string) => void
}

interface Channel {
  listeners: Set<Listener>
  subscribed: Promise<unknown>
}

export function createRedisStore(options: RedisStoreOptions): SharedStore {
  const {
    prefix = 'withings-link:',
    commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS,
    now,
    onError = console.error,
  } = options
  const parsed = parseRedisUrl(options.url)
  if (!parsed.ok) throw new TypeError(parsed.problem)
  checkCount('commandTimeoutMs', commandTimeoutMs)
  const { host, port, db, username, password, tls } = parsed.target
  const connection: RedisOptions = {
    host,
    port,
    db,
    username,
    password,
    ...(tls ? { tls: {} } : {}),
    enableOfflineQueue: false,
    // A command the connection lost is failed, not sent again later: its caller has moved on.
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    autoResubscribe: false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // A connection that leaves commands unanswered this long is dead (no RST on a partition).
    socketTimeout: Math.max(2_000, 4 * commandTimeoutMs),
    retryStrategy: (attempt) =>
      Math.min(50 * 2 ** (attempt - 1), MAX_RECONNECT_DELAY_MS) + Math.floor(Math.random() * 100),
  }
  let closed = false
  const client = watch(new Redis(connection), 'commands')
  const subscriber = watch(new Redis(connection), 'pub/sub')
  const channels = new Map<string, Channel>()

  function watch(redis: Redis, role: string) {
    let down = false
    // Operations waiting for the first connection share one promise, which 'ready' or a failure settles.
    let connecting: Deferred | undefined
    const settle = (error?: Error) => {
      connecting?.settle(error)
      connecting = undefined
    }
    const lose = (error?: Error) => {
      if (down || closed) return
      down = true
      const why = error ? `: ${error.message}` : ''
      const unavailable = new StoreUnavailable(`The Redis ${role} connection is down${why}.`, {
        cause: error,
      })
      settle(unavailable)
      onError(unavailable)
    }
    redis.on('error', lose)
    redis.on('close', () => lose())
    redis.on('ready', () => {
      down = false
      settle()
    })
    return {
      redis,
      /** Resolves once the connection is ready: at once, after connecting, or never while down. */
      async ready(signal: AbortSignal) {
        if (redis.status === 'ready') return
        if (down)
          throw new StoreUnavailable(`Redis is unreachable: the ${role} connection is down.`)
        connecting ??= deferred()
        await abortable(connecting.promise, signal)
      },
    }
  }

  /** Runs `command` within commandTimeoutMs, any failure a StoreUnavailable. */
  async function run<T>(on: ReturnType<typeof watch>, command: (redis: Redis) => Promise<T>) {
    if (closed) throw new StoreUnavailable('The Redis store is closed.')
    const signal = AbortSignal.timeout(commandTimeoutMs)
    try {
      await on.ready(signal)
      return await abortable(command(on.redis), signal)
    } catch (error) {
      if (error instanceof StoreUnavailable) throw error
      const why = signal.aborted ? `no answer within ${commandTimeoutMs} ms` : describe(error)
      throw new StoreUnavailable(`Redis failed: ${why}.`, { cause: error })
    }
  }

  const key = (kind: string, name: string) => `${prefix}${kind}:${name}`

  subscriber.redis.on('message', (name, message) => {
    const listeners = channels.get(name)?.listeners
    for (const listener of [...(listeners ?? [])]) {
      if (!listeners?.has(listener)) continue
      try {
        listener.onMessage(message)
      } catch (error) {
        onError(error)
      }
    }
  })
  subscriber.redis.on('ready', () => {
    if (channels.size === 0) return
    subscriber.redis.subscribe(...channels.keys()).catch((error: unknown) => {
      onError(
        new StoreUnavailable('Could not subscribe again after reconnecting.', { cause: error }),
      )
    })
  })

  return {
    readiness: { name: 'redis', check: () => run(client, (redis) => redis.ping()) },

    async take(name, limit, windowMs) {
      checkTakeArguments(limit, windowMs)
      const args = [limit, windowMs, now ? now() : '']
      const reply = await run(client, async (redis) => {
        try {
          return await redis.evalsha(TAKE_SHA, 1, key('rate', name), ...args)
        } catch (error) {
          if (!describe(error).startsWith('NOSCRIPT')) throw error
          return redis.eval(TAKE_SCRIPT, 1, key('rate', name), ...args)
        }
      })
      const [taken, current, previous, elapsed] = takeReply(reply)
      if (taken === 1) return { taken: true }
      const counts = { current, previous, elapsed }
      return { taken: false, retryAfterMs: retryAfterMs(counts, limit, windowMs) }
    },

    async claim(name, ttlMs) {
      checkCount('ttlMs', ttlMs)
      const reply = await run(client, (redis) =>
        redis.set(key('claim', name), '1', 'PX', ttlMs, 'NX'),
      )
      return reply === 'OK'
    },

    async has(name) {
      return (await run(client, (redis) => redis.exists(key('claim', name)))) === 1
    },

    async append(name, item, { max, ttlMs }) {
      checkCount('max', max)
      checkCount('ttlMs', ttlMs)
      const list = key('list', name)
      const replies = await run(client, (redis) =>
        redis.multi().rpush(list, item).ltrim(list, -max, -1).pexpire(list, ttlMs).exec(),
      )
      const failed = replies?.find(([error]) => error)?.[0]
      if (!replies || failed) {
        throw new StoreUnavailable('Redis failed to append.', { cause: failed ?? undefined })
      }
    },

    async list(name) {
      return run(client, (redis) => redis.lrange(key('list', name), 0, -1))
    },

    async publish(channel, message) {
      await run(client, (redis) => redis.publish(prefix + channel, message))
    },

    async subscribe(channel, onMessage) {
      const name = prefix + channel
      const listener = { onMessage }
      let entry = channels.get(name)
      if (!entry) {
        // Catches here so that a failure nobody awaits any more is not an unhandled rejection.
        const subscribed = run(subscriber, (redis) => redis.subscribe(name))
        subscribed.catch(() => {})
        entry = { listeners: new Set(), subscribed }
        channels.set(name, entry)
      }
      const joined = entry
      joined.listeners.add(listener)
      const leave = async () => {
        if (!joined.listeners.delete(listener) || joined.listeners.size > 0) return
        if (channels.get(name) !== joined) return
        channels.delete(name)
        // Best effort: a connection that cannot be reached drops the subscription anyway, since
        // only the channels still listened to are subscribed again on reconnect.
        await run(subscriber, (redis) => redis.unsubscribe(name)).catch(() => {})
      }
      try {
        await joined.subscribed
      } catch (error) {
        await leave()
        throw error
      }
      return leave
    },

    async close() {
      closed = true
      channels.clear()
      await Promise.all([
        quit(client.redis, commandTimeoutMs),
        quit(subscriber.redis, commandTimeoutMs),
      ])
    },
  }
}

/** QUIT (letting answers in flight arrive) when connected and quick, else drop the connection. */
async function quit(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') {
    await abortable(redis.quit(), AbortSignal.timeout(timeoutMs)).catch(() => {})
  }
  redis.disconnect()
}

interface Deferred {
  promise: Promise<void>
  settle(error?: Error): void
}

function deferred(): Deferred {
  let settle: Deferred['settle'] = () => {}
  const promise = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve())
  })
  return { promise, settle }
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason)
    if (signal.aborted) abort()
    signal.addEventListener('abort', abort, { once: true })
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort))
  })
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** The script's [taken (0 or 1), current, previous, elapsed]. */
function takeReply(reply: unknown): [number, number, number, number] {
  if (Array.isArray(reply) && reply.length === 4 && reply.every(Number.isSafeInteger)) {
    const [taken, current, previous, elapsed] = reply
    return [taken, current, previous, elapsed]
  }
  throw new StoreUnavailable(`Redis answered the counter script unexpectedly: ${String(reply)}.`)
}
