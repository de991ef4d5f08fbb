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
import {
  allows,
  checkCounters,
  retryAfterMs,
  roomLimit,
  type WindowCounts,
} from '../core/store/sliding-window'

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

// A twin of sliding-window.ts's countsAt and allows over every counter of a take, run atomically
// where the counters live: each is checked first, and all are counted only when all have room.
// One hash per key: the window last counted in, its count, and the window before's count.
// ARGV: the clock (empty: the server's), then for each key its room limit, window and amount.
const TAKE_SCRIPT = `
local now = tonumber(ARGV[1])
if not now then
  local time = redis.call('TIME')
  now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
end
local reply, counted, refused = {0, now}, {}, false
for i = 1, #KEYS do
  local room, windowMs, amount = tonumber(ARGV[3 * i - 1]), tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1])
  local window = math.floor(now / windowMs)
  local elapsed = now - window * windowMs
  local stored = redis.call('HMGET', KEYS[i], 'window', 'count', 'previous')
  local current, previous = 0, 0
  if tonumber(stored[1]) == window then
    current, previous = tonumber(stored[2]), tonumber(stored[3])
  elseif tonumber(stored[1]) == window - 1 then
    previous = tonumber(stored[2])
  end
  if current * windowMs + previous * (windowMs - elapsed) >= room * windowMs then refused = true end
  counted[i] = {window, current + amount, previous, 2 * windowMs - elapsed}
  table.insert(reply, current)
  table.insert(reply, previous)
  table.insert(reply, elapsed)
end
if refused then return reply end
for i = 1, #KEYS do
  local c = counted[i]
  redis.call('HSET', KEYS[i], 'window', c[1], 'count', c[2], 'previous', c[3])
  redis.call('PEXPIRE', KEYS[i], c[4])
end
reply[1] = 1
return reply
`
// The events a take counted at ARGV[3], in whichever field of the hash now holds that window.
const REFUND_SCRIPT = `
local windowMs, amount, at = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local window = math.floor(at / windowMs)
local stored = redis.call('HMGET', KEYS[1], 'window', 'count', 'previous')
local field, count = 'count', tonumber(stored[2])
if tonumber(stored[1]) == window + 1 then
  field, count = 'previous', tonumber(stored[3])
elseif tonumber(stored[1]) ~= window then
  return 0
end
redis.call('HSET', KEYS[1], field, math.max(0, count - amount))
return 1
`
const scriptOf = (source: string) => ({
  source,
  sha: createHash('sha1').update(source).digest('hex'),
})
const TAKE = scriptOf(TAKE_SCRIPT)
const REFUND = scriptOf(REFUND_SCRIPT)

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

    async take(counters) {
      checkCounters(counters)
      const args = [now ? now() : '']
      for (const counter of counters) {
        args.push(roomLimit(counter), counter.windowMs, counter.amount ?? 1)
      }
      const keys = counters.map((counter) => key('rate', counter.key))
      const reply = takeReply(await run(client, (redis) => evaluate(redis, TAKE, keys, args)))
      if (reply.taken) return { taken: true, at: reply.at }
      const refused = counters.flatMap((counter, index) => {
        const counts = reply.counts[index]
        const room = roomLimit(counter)
        return counts && !allows(counts, room, counter.windowMs)
          ? [{ key: counter.key, wait: retryAfterMs(counts, room, counter.windowMs) }]
          : []
      })
      return {
        taken: false,
        retryAfterMs: Math.max(1, ...refused.map(({ wait }) => wait)),
        refusedBy: refused.map(({ key }) => key),
      }
    },

    async refund({ key: name, windowMs, amount = 1, at }) {
      checkCount('windowMs', windowMs)
      checkCount('amount', amount)
      await run(client, (redis) =>
        evaluate(redis, REFUND, [key('rate', name)], [windowMs, amount, at]),
      )
    },

    async get(name) {
      return (await run(client, (redis) => redis.get(key('value', name)))) ?? undefined
    },

    async set(name, value, { ttlMs, ifAbsent = false }) {
      checkCount('ttlMs', ttlMs)
      const reply = await run(client, (redis) =>
        ifAbsent
          ? redis.set(key('value', name), value, 'PX', ttlMs, 'NX')
          : redis.set(key('value', name), value, 'PX', ttlMs),
      )
      return reply === 'OK'
    },

    async increment(name, { ttlMs }) {
      checkCount('ttlMs', ttlMs)
      const value = key('value', name)
      const replies = await run(client, (redis) =>
        redis.multi().incr(value).pexpire(value, ttlMs).exec(),
      )
      const [counted] = transaction(replies, 'increment')
      if (typeof counted !== 'number') {
        throw new StoreUnavailable('Redis answered the increment unexpectedly.')
      }
      return counted
    },

    async delete(name) {
      await run(client, (redis) => redis.del(key('value', name)))
    },

    async append(name, item, { max, ttlMs }) {
      checkCount('max', max)
      checkCount('ttlMs', ttlMs)
      const list = key('list', name)
      const replies = await run(client, (redis) =>
        redis.multi().rpush(list, item).ltrim(list, -max, -1).pexpire(list, ttlMs).exec(),
      )
      transaction(replies, 'append')
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

/** Runs a script by its digest, sending its source only when Redis does not know it yet. */
async function evaluate(
  redis: Redis,
  script: { source: string; sha: string },
  keys: string[],
  args: (string | number)[],
): Promise<unknown> {
  try {
    return await redis.evalsha(script.sha, keys.length, ...keys, ...args)
  } catch (error) {
    if (!describe(error).startsWith('NOSCRIPT')) throw error
    return redis.eval(script.source, keys.length, ...keys, ...args)
  }
}

/** The replies of a MULTI, or StoreUnavailable when it or any of its commands failed. */
function transaction(replies: [Error | null, unknown][] | null, what: string): unknown[] {
  const failed = replies?.find(([error]) => error)?.[0]
  if (!replies || failed) {
    throw new StoreUnavailable(`Redis failed to ${what}.`, { cause: failed ?? undefined })
  }
  return replies.map(([, reply]) => reply)
}

/** The take script's [taken (0 or 1), clock, then current, previous, elapsed for each key]. */
function takeReply(reply: unknown): { taken: boolean; at: number; counts: WindowCounts[] } {
  if (
    Array.isArray(reply) &&
    reply.length >= 5 &&
    (reply.length - 2) % 3 === 0 &&
    reply.every(Number.isSafeInteger)
  ) {
    const [taken, at, ...rest] = reply as number[]
    const counts: WindowCounts[] = []
    for (let i = 0; i < rest.length; i += 3) {
      counts.push({ current: rest[i] ?? 0, previous: rest[i + 1] ?? 0, elapsed: rest[i + 2] ?? 0 })
    }
    return { taken: taken === 1, at: at ?? 0, counts }
  }
  throw new StoreUnavailable(`Redis answered the counter script unexpectedly: ${String(reply)}.`)
}
