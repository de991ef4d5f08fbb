import type { Context } from 'hono'
import { RelayError } from '../errors'

export const MAX_BODY_BYTES = 4096

/**
 * Reads a small JSON object body or throws: 415 for another content type, 413 past the limit,
 * 400 for anything that is not a JSON object. Nothing reaches Withings before this passes.
 */
export async function readJsonObject(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? ''
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new RelayError('unsupported_media_type', 'Send the body as application/json.')
  }
  const declared = Number(c.req.header('content-length') ?? 0)
  if (declared > MAX_BODY_BYTES) throw tooLarge()
  const text = await readLimited(c.req.raw)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (cause) {
    throw new RelayError('bad_request', 'The body is not valid JSON.', { cause })
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RelayError('bad_request', 'The body must be a JSON object.')
  }
  return parsed as Record<string, unknown>
}

/** Reads the body stream but stops at the limit, whatever Content-Length claimed. */
async function readLimited(request: Request): Promise<string> {
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > MAX_BODY_BYTES) {
      await reader.cancel()
      throw tooLarge()
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch (cause) {
    throw new RelayError('bad_request', 'The body is not valid UTF-8.', { cause })
  }
}

function tooLarge(): RelayError {
  return new RelayError('payload_too_large', `The body is larger than ${MAX_BODY_BYTES} bytes.`)
}
