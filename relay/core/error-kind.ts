/**
 * What a log line may say of a failure: its kind, never its data. Error names and codes only
 * (`StoreUnavailable store_unavailable <- Error ECONNREFUSED`), because a message carries whatever
 * the failing party wrote: a URL with a query, a body Withings echoed, Redis's reply. Names and
 * codes are themselves data when an error is built from an upstream answer or a library's whim,
 * so only identifier-like ones are kept. Every log line of the relay, its Node adapter and its
 * servers describes a failure with this and nothing else. No cause, no kind (a JSON line drops
 * the field); a thrown value that is not an Error is `unknown`, whatever it holds.
 */
export function errorKind(cause: unknown): string | undefined {
  if (cause === undefined) return undefined
  return cause instanceof Error ? kindOf(cause, 0) : 'unknown'
}

function kindOf(error: Error, depth: number): string {
  const name = IDENTIFIER.test(error.name) ? error.name : 'Error'
  const code = (error as { code?: unknown }).code
  const known = typeof code === 'string' && IDENTIFIER.test(code) ? ` ${code}` : ''
  // A few levels at most: a cause chain can be long, or even a cycle.
  const deeper = error.cause instanceof Error && depth < MAX_DEPTH
  const inner = deeper ? ` <- ${kindOf(error.cause as Error, depth + 1)}` : ''
  return `${name}${known}${inner}`
}

/** Like `TypeError`, `AbortError`, `ECONNREFUSED`, `UND_ERR_SOCKET`: no digit, so no token. */
const IDENTIFIER = /^[A-Za-z][A-Za-z_]{0,31}$/
const MAX_DEPTH = 4
