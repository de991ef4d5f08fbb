import type { Context } from 'hono'
import type { ConnectionAddress } from './client-address'

// The client's address as each runtime gives it, for createRelay's `connectionAddress`. The
// runtime hands it to the fetch handler beside the request, and Hono passes that second argument
// on as `c.env`: serve the relay (or the app it is mounted in) with it, as each one-liner below
// says. Typed by shape, so that the relay needs no runtime's type declarations. (Node's is
// withings-link/node's, which createNodeRelay passes itself.)

/**
 * Bun: `Bun.serve({ fetch: (request, server) => relay.fetch(request, server) })` — the server's
 * `requestIP(request)` is the connection's peer.
 */
export const bunConnectionAddress: ConnectionAddress = (c: Context) => {
  const server = c.env as { requestIP?: unknown } | undefined
  if (typeof server?.requestIP !== 'function') return undefined
  const peer = server.requestIP(c.req.raw) as { address?: unknown } | null
  return typeof peer?.address === 'string' ? peer.address : undefined
}

/**
 * Deno: `Deno.serve((request, info) => relay.fetch(request, info))` — the handler's
 * `info.remoteAddr` is the connection's peer.
 */
export const denoConnectionAddress: ConnectionAddress = (c: Context) => {
  const info = c.env as { remoteAddr?: { hostname?: unknown } } | undefined
  const hostname = info?.remoteAddr?.hostname
  return typeof hostname === 'string' ? hostname : undefined
}

/**
 * Cloudflare Workers: the `CF-Connecting-IP` header, which Cloudflare's edge sets on every request
 * it passes to a Worker, replacing any a client sent. Only there: anywhere else a client writes it
 * itself.
 */
export const cloudflareConnectionAddress: ConnectionAddress = (c: Context) =>
  c.req.header('cf-connecting-ip') || undefined

/**
 * Said once, at start, by a relay that knows no client's address: its per-address limits are
 * then off (rate-limit.ts), and refused sign-ins are capped for the whole app instead.
 */
export const ADDRESS_UNKNOWN = {
  level: 'warn',
  msg: "client addresses unknown: the relay's per-address limits are off, and refused sign-ins are capped for the whole app instead. Pass connectionAddress to createRelay (bunConnectionAddress, denoConnectionAddress or cloudflareConnectionAddress from withings-link/relay; createNodeRelay passes Node's), or set TRUST_PROXY behind a proxy that sets X-Forwarded-For (docs/hosts.md).",
} as const
