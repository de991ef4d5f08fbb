import { RelayError } from '../errors'

/** Withings' response wrapper: `{status, body, error?}`, with HTTP 200 even for errors. */
export interface Envelope {
  status: number
  body: Record<string, unknown>
  error: string | undefined
}

/** Parses a Withings answer (typed `unknown` until each field is checked) or throws upstream_*. */
export function parseEnvelope(text: string): Envelope {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (cause) {
    throw new RelayError(
      'upstream_unavailable',
      'Withings answered with a body that is not JSON.',
      {
        cause,
      },
    )
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RelayError('upstream_error', 'Withings answered with JSON that is not an envelope.')
  }
  const { status, body, error } = parsed as Record<string, unknown>
  if (typeof status !== 'number' || !Number.isInteger(status)) {
    throw new RelayError('upstream_error', "Withings' answer has no valid 'status' field.")
  }
  // Error envelopes are seen with `body: {}`, `body: []` or no body at all.
  const isObject = typeof body === 'object' && body !== null && !Array.isArray(body)
  return {
    status,
    body: isObject ? (body as Record<string, unknown>) : {},
    error: typeof error === 'string' ? error : undefined,
  }
}

/** The `wait_seconds` Withings attaches to status 601, when it is a sane number. */
export function waitSeconds(envelope: Envelope): number | undefined {
  const wait = envelope.body.wait_seconds
  const seconds = typeof wait === 'string' ? Number(wait) : wait
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0
    ? Math.ceil(seconds)
    : undefined
}
