// REDIS_URL, parsed once into where to connect, or one plain sentence saying what is wrong. The
// sentence never repeats the password: configuration problems end up in logs.

interface RedisTarget {
  host: string
  port: number
  /** Database number (the URL's path, /0 when absent). */
  db: number
  username: string | undefined
  password: string | undefined
  /** rediss:// — TLS to the server. */
  tls: boolean
}

type ParsedRedisUrl = { ok: true; target: RedisTarget } | { ok: false; problem: string }

const DEFAULT_PORT = 6379
const EXAMPLE = 'such as redis://localhost:6379 or rediss://user:password@redis.example.com:6380/0'

export function parseRedisUrl(value: string, name = 'REDIS_URL'): ParsedRedisUrl {
  const fail = (why: string): ParsedRedisUrl => ({
    ok: false,
    problem: `${name} ${why} (got "${redact(value)}").`,
  })
  let url: URL
  try {
    url = new URL(value.trim())
  } catch {
    return fail(`must be a redis:// or rediss:// URL, ${EXAMPLE}`)
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return fail(`must start with redis:// or rediss:// (TLS), ${EXAMPLE}`)
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1')
  if (!host) return fail(`has no host, ${EXAMPLE}`)
  const port = url.port ? Number(url.port) : DEFAULT_PORT
  if (port < 1) return fail('needs a port from 1 to 65535')
  const db = /^\/?$/.test(url.pathname) ? 0 : Number(/^\/(\d{1,9})$/.exec(url.pathname)?.[1])
  if (Number.isNaN(db)) return fail('may only have a database number as its path, such as /0')
  if (url.search || url.hash) return fail('takes no ?query or #fragment')
  const username = decode(url.username)
  const password = decode(url.password)
  if (username === null || password === null) {
    return fail('has a user or password with a broken %-escape')
  }
  return {
    ok: true,
    target: { host, port, db, username, password, tls: url.protocol === 'rediss:' },
  }
}

function decode(part: string): string | undefined | null {
  if (!part) return undefined
  try {
    return decodeURIComponent(part)
  } catch {
    return null
  }
}

/** The URL with whatever stands between its scheme and its last `@` (user and password) hidden. */
function redact(value: string): string {
  const at = value.lastIndexOf('@')
  const scheme = value.indexOf('://')
  if (at === -1) return value
  return `${scheme === -1 ? '' : value.slice(0, scheme + 3)}***${value.slice(at)}`
}
