import { encodeBase64url } from '../../../relay/contract/wire-contract'

/** A fresh OAuth state: 32 random bytes from Web Crypto, base64url without padding (43 chars). */
export function randomState(): string {
  return encodeBase64url(crypto.getRandomValues(new Uint8Array(32)))
}
