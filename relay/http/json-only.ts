import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { RelayError } from '../errors'

export const MAX_BODY_BYTES = 4096

/**
 * Every POST under /api, whatever route answers it: JSON only (415), at most 4 KB (413, counted
 * on the stream when no Content-Length says it), before any route reads a byte of it.
 */
export const jsonOnly = (): MiddlewareHandler => {
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new RelayError('payload_too_large', `The body is larger than ${MAX_BODY_BYTES} bytes.`)
    },
  })
  return async function jsonOnly(c, next) {
    if (!/^application\/json\s*(;|$)/i.test(c.req.header('content-type') ?? '')) {
      throw new RelayError('unsupported_media_type', 'Send the body as application/json.')
    }
    return limit(c, next)
  }
}
