import type { Context } from 'hono'
import { constantTimeEqual } from '../../contract/wire-contract'

/** The peer address of the connection, from the runtime (Node: getConnInfo); undefined if unknown. */
export type ConnectionAddress = (c: Context) => string | undefined

/** What rate limits count by when the runtime gives no address: everyone shares one budget. */
export const UNKNOWN_CLIENT = 'unknown'

/** The header a trusted proxy (a static host's forwarding, a load balancer) adds to prove itself. */
const PROXY_SECRET_HEADER = 'X-Withings-Link-Proxy'

interface ClientKeyOptions {
  trustProxyHops: number
  /**
   * When set, X-Forwarded-For is believed only on requests carrying it in PROXY_SECRET_HEADER:
   * anyone else could write their own X-Forwarded-For and pick a fresh budget at every request.
   */
  proxySecret?: string | undefined
  connectionAddress?: ConnectionAddress | undefined
  /**
   * How much of an IPv6 address names one client: 64 (a host is commonly handed a whole /64) or
   * 48 (a site's usual allocation, for limits a client must not multiply by its addresses).
   */
  ipv6Prefix?: 48 | 64
}

/**
 * The key a client's requests are counted under. With `trustProxyHops` = 0 it is the
 * connection's address: X-Forwarded-For is the client's own claim and is ignored. With N > 0,
 * the relay sits behind N proxies that each append the address they saw, so the Nth entry from
 * the right was written by the outermost one we trust; entries further left are forgeable.
 */
export function clientKey(options: ClientKeyOptions): (c: Context) => string {
  const { trustProxyHops, proxySecret, connectionAddress, ipv6Prefix = 64 } = options
  const fromProxy = (c: Context) =>
    trustProxyHops > 0 &&
    (proxySecret === undefined ||
      constantTimeEqual(c.req.header(PROXY_SECRET_HEADER) ?? '', proxySecret))
  return (c) => {
    if (fromProxy(c)) {
      const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map((hop) => hop.trim())
      const forwarded = addressKey(hops[hops.length - trustProxyHops], ipv6Prefix)
      if (forwarded) return forwarded
    }
    return addressKey(connectionAddress?.(c), ipv6Prefix) ?? UNKNOWN_CLIENT
  }
}

/** An IPv4 address as is, an IPv6 address as its /64 (or /48) prefix, anything else undefined. */
export function addressKey(
  address: string | undefined,
  ipv6Prefix: 48 | 64 = 64,
): string | undefined {
  if (!address) return undefined
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address)
  const candidate = mapped?.[1] ?? address
  if (isIpv4(candidate)) return candidate
  const groups = ipv6Groups(candidate)
  const kept = ipv6Prefix / 16
  return groups ? `${groups.slice(0, kept).join(':')}::/${ipv6Prefix}` : undefined
}

function isIpv4(text: string): boolean {
  const parts = text.split('.')
  return parts.length === 4 && parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) < 256)
}

/** The eight 16-bit groups of an IPv6 address (zone and embedded IPv4 allowed), or null. */
function ipv6Groups(text: string): string[] | null {
  const address = text.replace(/^\[|\]$/g, '').replace(/%.*/, '')
  const halves = address.split('::')
  if (halves.length > 2) return null
  const parse = (half: string | undefined) => (half ? half.split(':') : [])
  const head = parse(halves[0])
  const tail = parse(halves[1])
  // An embedded IPv4 address (::ffff:192.0.2.1, 64:ff9b::192.0.2.1) is the last two groups.
  const last = tail.length > 0 ? tail : head
  const embedded = last.at(-1)
  if (embedded !== undefined && isIpv4(embedded)) {
    const [a = 0, b = 0, c = 0, d = 0] = embedded.split('.').map(Number)
    last.splice(-1, 1, ((a << 8) | b).toString(16), ((c << 8) | d).toString(16))
  }
  // Without '::' there are eight groups; with it, '::' stands for one group at least.
  const missing = 8 - head.length - tail.length
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail]
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return null
  return groups.map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''))
}
