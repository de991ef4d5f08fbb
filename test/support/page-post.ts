import { CUSTOM_HEADER, CUSTOM_HEADER_VALUE } from '../../relay/contract/wire-contract'

/**
 * The request the SPA's page makes to the relay: a POST from the app's origin with the custom
 * header and a JSON body. `headers` adds or replaces one; `undefined` leaves it out.
 */
export function pagePost(
  origin: string,
  body?: unknown,
  headers: Record<string, string | undefined> = {},
): RequestInit & { headers: Headers } {
  const sent = new Headers({
    'content-type': 'application/json',
    origin,
    [CUSTOM_HEADER]: CUSTOM_HEADER_VALUE,
  })
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) sent.delete(name)
    else sent.set(name, value)
  }
  return {
    method: 'POST',
    headers: sent,
    ...(body !== undefined && { body: JSON.stringify(body) }),
  }
}
