import { RelayError } from '../errors'
import type { RelayTelemetry } from '../telemetry/telemetry'
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
  /** The longest answer body accepted; a longer one is cut off (AnswerTooLarge). */
  maxBytes: number
}

export interface UpstreamAnswer {
  status: number
  text(): Promise<string>
  /** The Web's fetch answers with a stream: it is read up to `maxBytes`, never further. */
  body?: ReadableStream<Uint8Array> | null
}

/** Thrown when an answer's body goes past the request's `maxBytes`. */
export class AnswerTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`The answer is larger than ${maxBytes} bytes.`)
    this.name = 'AnswerTooLarge'
  }
}

/** Token, nonce and revoke answers are a few hundred bytes; data pages a few hundred kB. */
export const MAX_ANSWER_BYTES = { small: 64 * 1024, data: 1024 * 1024 } as const

export interface UpstreamOptions {
  fetch: UpstreamFetch
  /** One deadline for connecting, the answer's headers and its whole body. */
  timeoutMs: number
  /** Each call's span and duration (OpenTelemetry); none by default. */
  telemetry?: Pick<RelayTelemetry, 'withingsCall'> | undefined
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
  return parseEnvelope(await postFormText(options, url, params, { headers }))
}

/** The same single POST, answering the body exactly as Withings sent it (HTTP 200 only). */
export async function postFormText(
  options: UpstreamOptions,
  url: string,
  params: Record<string, string>,
  answer: { headers?: Record<string, string>; maxBytes?: number } = {},
): Promise<string> {
  const call = options.telemetry?.withingsCall(url, params.action)
  const seen: { status?: number } = {}
  try {
    const text = await sendForm(options, url, params, answer, seen)
    call?.end(seen)
    return text
  } catch (error) {
    call?.end({ ...seen, error })
    throw error
  }
}

async function sendForm(
  { fetch, timeoutMs }: UpstreamOptions,
  url: string,
  params: Record<string, string>,
  {
    headers = {},
    maxBytes = MAX_ANSWER_BYTES.small,
  }: { headers?: Record<string, string>; maxBytes?: number },
  seen: { status?: number },
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
      maxBytes,
    })
  } catch (cause) {
    throw transportError(signal, cause, 'Withings could not be reached.')
  }
  seen.status = response.status
  let text: string
  try {
    text = await readText(response, maxBytes)
  } catch (cause) {
    if (cause instanceof AnswerTooLarge) {
      throw new RelayError('upstream_error', `Withings' answer is larger than ${maxBytes} bytes.`, {
        cause,
      })
    }
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

/** The answer's text, from its stream when it has one, refusing more than `maxBytes`. */
async function readText(answer: UpstreamAnswer, maxBytes: number): Promise<string> {
  if (!answer.body) {
    const text = await answer.text()
    if (new TextEncoder().encode(text).byteLength > maxBytes) throw new AnswerTooLarge(maxBytes)
    return text
  }
  const reader = answer.body.getReader()
  const chunks: Uint8Array[] = []
  let received = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    received += value.byteLength
    if (received > maxBytes) {
      await reader.cancel()
      throw new AnswerTooLarge(maxBytes)
    }
    chunks.push(value)
  }
  const whole = new Uint8Array(received)
  let at = 0
  for (const chunk of chunks) {
    whole.set(chunk, at)
    at += chunk.byteLength
  }
  return new TextDecoder().decode(whole)
}

function transportError(signal: AbortSignal, cause: unknown, message: string): RelayError {
  if (signal.aborted) {
    return new RelayError('upstream_timeout', 'Withings did not answer in time.', { cause })
  }
  return new RelayError('upstream_unavailable', message, { cause })
}
