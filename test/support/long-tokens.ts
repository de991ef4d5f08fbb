import type { UpstreamFetch } from '../../relay/core/withings/upstream'

/**
 * Withings as `fetch` reaches it, except that a code exchange answers with tokens of `length`
 * characters (the real ones, padded): the relay's bounds on what it keeps are tried with them.
 */
export function withTokensOf(
  length: number,
  fetch: (url: string, init: RequestInit) => Promise<Response>,
): UpstreamFetch {
  return async (url, init) => {
    const answer = await fetch(url, init)
    if (init.body.get('grant_type') !== 'authorization_code') return answer
    const envelope = await answer.json()
    if (envelope.status === 0) {
      envelope.body.access_token = envelope.body.access_token.padEnd(length, 'a')
      envelope.body.refresh_token = envelope.body.refresh_token.padEnd(length, 'r')
    }
    return new Response(JSON.stringify(envelope))
  }
}
