import { constantTimeEqual, encodeBase64url } from '../../contract/wire-contract'

// Withings signs nothing it sends to a notification callback, so the callback's URL holds the
// only secret (the reference's notify-subscribe takes any callbackurl): its last segment is an
// HMAC of the person's userid under RELAY_SECRET. The first key makes URLs; every key verifies,
// so the URLs Withings holds keep working while keys rotate. A notification whose userid does not
// match its URL's segment was not sent by Withings to this person's subscription.

export const CALLBACK_PATH = '/api/notify/callback'
/** 128 bits of the HMAC, base64url. */
export const CALLBACK_TOKEN_LENGTH = 22
const TOKEN = /^[A-Za-z0-9_-]{22}$/
const PURPOSE = 'withings-link notify-callback v1\n'
const encoder = new TextEncoder()

export interface CallbackUrls {
  /** The URL Withings is asked to notify for this person (made with the first key). */
  urlFor(userid: string): Promise<string>
  /** Whether `token` is the callback segment of `userid` under any of the keys. */
  verify(token: string, userid: string): Promise<boolean>
  /** Whether `url` is one of this relay's callback URLs for `userid`, under any key. */
  isOurs(url: string, userid: string): Promise<boolean>
}

export const isCallbackToken = (text: string) => TOKEN.test(text)

export function createCallbackUrls(base: string, secrets: readonly string[]): CallbackUrls {
  const prefix = `${base.replace(/\/+$/, '')}${CALLBACK_PATH}/`
  const keys = Promise.all(
    secrets.map((secret) =>
      crypto.subtle.importKey(
        'raw',
        encoder.encode(secret),
        { name: 'HMAC', hash: 'SHA-256' },
        false,
        ['sign'],
      ),
    ),
  )
  const tokenOf = async (key: CryptoKey, userid: string) => {
    const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(PURPOSE + userid))
    return encodeBase64url(new Uint8Array(mac).slice(0, 16))
  }
  const verify = async (token: string, userid: string) => {
    if (!isCallbackToken(token)) return false
    let matched = false
    // Every key, always: how long verifying takes says nothing about which key matched.
    for (const key of await keys)
      matched = constantTimeEqual(await tokenOf(key, userid), token) || matched
    return matched
  }
  return {
    async urlFor(userid) {
      const [first] = (await keys) as [CryptoKey]
      return prefix + (await tokenOf(first, userid))
    },
    verify,
    async isOurs(url, userid) {
      return url.startsWith(prefix) && verify(url.slice(prefix.length), userid)
    },
  }
}

type CryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>
