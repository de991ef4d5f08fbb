import { CUSTOM_HEADER, CUSTOM_HEADER_VALUE } from '../../relay/contract/wire-contract'

/**
 * The headers of the request the SPA's page makes to the relay: the app's origin, the custom
 * header and a JSON body's type, by lower-case name. `headers` adds or replaces one; `undefined`
 * leaves it out.
 */
export function pageHeaders(
  origin: string,
  headers: Record<string, string | undefined> = {},
): Record<string, string> {
  const sent: Record<string, string | undefined> = {
    'content-type': 'application/json',
    origin,
    [CUSTOM_HEADER.toLowerCase()]: CUSTOM_HEADER_VALUE,
  }
  for (const [name, value] of Object.entries(headers)) sent[name.toLowerCase()] = value
  return Object.fromEntries(
    Object.entries(sent).filter((entry): entry is [string, string] => entry[1] !== undefined),
  )
}

/** The request the SPA's page makes to the relay: a POST with those headers and a JSON body. */
export function pagePost(
  origin: string,
  body?: unknown,
  headers: Record<string, string | undefined> = {},
): RequestInit & { headers: Headers } {
  return {
    method: 'POST',
    headers: new Headers(pageHeaders(origin, headers)),
    ...(body !== undefined && { body: JSON.stringify(body) }),
  }
}
