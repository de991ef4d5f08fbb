import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { RelayError } from '../errors'

export const MAX_BODY_BYTES = 4096

/**
 * Every POST under /api, whatever route answers it: JSON only (415), at most 4 KB (413, counted
 * on the stream when no Content-Length says it), before any route reads a byte of it.
 */
export const jsonOnly = (): MiddlewareHandler => {
  const tooLarge = () => {
    throw new RelayError('payload_too_large', `The body is larger than ${MAX_BODY_BYTES} bytes.`)
  }
  const limit = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge })
  return async function jsonOnly(c, next) {
    if (!/^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? '')) {
      throw new RelayError('unsupported_media_type', 'Send the body as application/json.')
    }
    // bodyLimit's own rule for a declared length, without its first step: reading
    // `c.req.raw.body` makes @hono/node-server build a whole Request and stream the body through
    // it instead of reading it off the socket when a route asks (~75 µs of CPU a request, by a
    // profile under `npm run bench`). Only a body without a length is counted by bodyLimit.
    const length = c.req.header('content-length')
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      return Number.parseInt(length, 10) > MAX_BODY_BYTES ? tooLarge() : next()
    }
    return limit(c, next)
  }
}
