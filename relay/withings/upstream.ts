import { RelayError } from '../errors'
import { type Envelope, parseEnvelope } from './envelope'

/**
 * What the relay asks of `fetch`: one form POST, and its answer's status and text. The Web's
 * fetch is one; relay/node/http-upstream.ts is a leaner one for Node.
 */
export type UpstreamFetch = (url: string, init: UpstreamRequest) => Promise<UpstreamAnswer>

export interface UpstreamRequest {
  method: 'POST'
  headers: Record<string, string>
  body: URLSearchParams
  signal: AbortSignal
  redirect: 'manual'
}

export interface UpstreamAnswer {
  status: number
  text(): Promise<string>
}

export interface UpstreamOptions {
  fetch: UpstreamFetch
  /** One deadline for connecting, the answer's headers and its whole body. */
  timeoutMs: number
}

/**
 * POSTs form-encoded parameters to Withings once (never retried: an authorization code is single
 * use) and returns its parsed envelope. Every transport failure becomes a RelayError with a cause.
 */
export async function postForm(
  options: UpstreamOptions,
  url: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Envelope> {
  return parseEnvelope(await postFormText(options, url, params, headers))
}

/** The same single POST, answering the body exactly as Withings sent it (HTTP 200 only). */
export async function postFormText(
  { fetch, timeoutMs }: UpstreamOptions,
  url: string,
  params: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<string> {
  const signal = AbortSignal.timeout(timeoutMs)
  let response: UpstreamAnswer
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { accept: 'application/json', ...headers },
      body: new URLSearchParams(params),
      signal,
      redirect: 'manual',
    })
  } catch (cause) {
    throw transportError(signal, cause, 'Withings could not be reached.')
  }
  let text: string
  try {
    text = await response.text()
  } catch (cause) {
    throw transportError(
      signal,
      cause,
      'The connection to Withings ended in the middle of its answer.',
    )
  }
  if (response.status >= 500) {
    throw new RelayError('upstream_unavailable', `Withings answered HTTP ${response.status}.`)
  }
  if (response.status !== 200) {
    throw new RelayError('upstream_error', `Withings answered HTTP ${response.status}.`)
  }
  return text
}

function transportError(signal: AbortSignal, cause: unknown, message: string): RelayError {
  if (signal.aborted) {
    return new RelayError('upstream_timeout', 'Withings did not answer in time.', { cause })
  }
  return new RelayError('upstream_unavailable', message, { cause })
}
