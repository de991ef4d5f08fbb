import { RelayError } from '../errors'

// RFC 6750 §2.1: `Authorization: Bearer <b64token>`; the scheme is case-insensitive (RFC 7235
// §2.1). Withings' tokens are 40 hex characters; the bound leaves room for other shapes.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]{1,512}=*)$/i

/**
 * The access token a data call carries. A missing or malformed one is refused as token_expired
 * (401) rather than bad_request: the SPA only ever sends the token the relay handed it, so a
 * missing or mangled one means it must get a fresh token, exactly as for an expired one, and one
 * code keeps its refresh-then-retry path single. The message says which it was.
 */
export function bearerToken(header: string | undefined): string {
  const match = BEARER.exec(header ?? '')
  if (!match?.[1]) {
    throw new RelayError(
      'token_expired',
      "This call needs the person's access token as 'Authorization: Bearer <token>'.",
    )
  }
  return match[1]
}
