import { ERROR_CODES, isErrorCode } from '../../../relay/contract/wire-contract'

export interface Verdict {
  /**
   * The relay failed on an input instead of refusing it: a 500, or any 5xx out of the error
   * shape. (A 502 or 504 in the shape is Withings' answer to a forwarded call, told in words.)
   */
  crash: boolean
  /** What breaks the contract, or null when the answer is well-formed. */
  problem: string | null
}

const ERROR_FIELDS = new Set(['code', 'message', 'retryable', 'retry_after'])

/**
 * Judges one relay answer to a hostile input: never a 5xx, every error in the one shape
 * `{error: {code, message, retryable, retry_after?}}` with the status and retry hint its code
 * has in the relay's table, and every success a JSON object or an empty 204.
 */
export async function judge(response: Response, method: string): Promise<Verdict> {
  const text = await response.text()
  const verdict = (problem: string | null): Verdict => {
    const crash = response.status === 500 || (response.status > 500 && problem !== null)
    return { crash, problem: crash ? `HTTP ${response.status}: ${text.slice(0, 300)}` : problem }
  }
  if (method === 'HEAD') return verdict(text === '' ? null : 'HEAD answered with a body')
  if (response.status === 204) return verdict(text === '' ? null : '204 with a body')
  if (response.status < 200 || (response.status >= 300 && response.status < 400)) {
    return verdict(`unexpected HTTP ${response.status}`)
  }
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    return verdict(`HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 100)}`)
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return verdict('a JSON body that is not an object')
  }
  if (response.status < 300) return verdict(null)
  return verdict(errorShapeProblem(body as Record<string, unknown>, response))
}

function errorShapeProblem(body: Record<string, unknown>, response: Response): string | null {
  const keys = Object.keys(body)
  const error = body.error as Record<string, unknown> | undefined
  if (keys.length !== 1 || typeof error !== 'object' || error === null) {
    return `not the one error shape: ${JSON.stringify(body).slice(0, 200)}`
  }
  if (Object.keys(error).some((key) => !ERROR_FIELDS.has(key))) return 'unknown error fields'
  const { code, message, retryable, retry_after: retryAfter } = error
  if (typeof code !== 'string' || typeof message !== 'string' || message === '') {
    return 'error without a code or a message'
  }
  if (!isErrorCode(code)) return `unknown error code ${code}`
  const traits = ERROR_CODES[code]
  if (traits.status !== response.status) return `${code} answered with HTTP ${response.status}`
  if (retryable !== traits.retryable) return `${code} with retryable ${String(retryable)}`
  if (retryAfter !== undefined) {
    if (!Number.isInteger(retryAfter) || (retryAfter as number) < 0) return 'a bad retry_after'
    if (response.headers.get('retry-after') !== String(retryAfter)) {
      return 'retry_after without the same Retry-After header'
    }
  }
  if (!/^application\/json/.test(response.headers.get('content-type') ?? '')) {
    return 'an error that is not application/json'
  }
  return null
}
