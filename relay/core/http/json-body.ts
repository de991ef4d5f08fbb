import type { Context } from 'hono'
import { RelayError } from '../errors'

/**
 * Reads a small JSON object body or throws 400 for anything that is not one. Its type and size
 * were checked by `jsonOnly` (json-only.ts) on the way in; nothing reaches Withings before this.
 */
export async function readJsonObject(
  c: Context,
  { optional = false }: { optional?: boolean } = {},
): Promise<Record<string, unknown>> {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(await c.req.arrayBuffer())
  } catch (cause) {
    throw new RelayError('bad_request', 'The body could not be read as UTF-8 text.', { cause })
  }
  // A route whose fields are all optional takes no body as none of them.
  if (optional && text === '') return {}
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
