import type { MiddlewareHandler } from 'hono'

// DNS rebinding: a page on evil.example can point its own name at 127.0.0.1 and then call this
// server "same-origin", reading its pages and driving its control API. The browser still sends
// `Host: evil.example`, so answering loopback names only shuts that door (the fix of
// https://github.com/webpack/webpack-dev-server/issues/887).
// The request URL's host is checked as well as the Host header: adapters build the URL from
// Host, or from an absolute request target that may differ from it.

const LOOPBACK_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]'])

export const WRONG_HOST_MESSAGE =
  'This Withings emulator only answers requests addressed to localhost, 127.0.0.1 or [::1].'

/** The host name without its port, lower-cased; brackets kept for IPv6 (`[::1]`). */
function hostnameOf(host: string): string {
  const lower = host.trim().toLowerCase()
  if (lower.startsWith('[')) return lower.slice(0, lower.indexOf(']') + 1)
  return lower.replace(/:\d*$/, '')
}

/** Refuses with 421 Misdirected Request (RFC 9110 §15.5.20) any request for another host name. */
export const loopbackHostsOnly: MiddlewareHandler = async function loopbackHostsOnly(c, next) {
  const header = c.req.header('host')
  const hosts = [new URL(c.req.url).host, ...(header === undefined ? [] : [header])]
  if (hosts.every((host) => LOOPBACK_HOSTNAMES.has(hostnameOf(host)))) return next()
  return c.text(WRONG_HOST_MESSAGE, 421, { 'cache-control': 'no-store' })
}
