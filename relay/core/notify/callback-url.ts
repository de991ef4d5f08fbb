import { constantTimeEqual, encodeBase64url } from '../../contract/wire-contract'

// Withings signs nothing it sends to a notification callback, so the callback's URL holds the
// only secret (the reference's notify-subscribe takes any callbackurl): its last segment is an
// HMAC of the person's userid under the callback keys (NOTIFY_CALLBACK_SECRET, or RELAY_SECRET's
// keys when it is unset). The first key makes URLs; every key verifies, so the URLs Withings
// holds keep working while keys rotate. A notification whose userid does not match its URL's
// segment was not sent by Withings to this person's subscription.
//
// Withings' callback has a prefix of its own, apart from the routes the app's pages call
// (`/api/notify`, `/api/withings/…`): another caller, another trust, and a proxy can log or
// limit it on its own. It lived under `/api/notify/callback` before; Withings still holds
// subscriptions to that path, so it is still accepted, and each person's are moved to the new
// one at their next session (subscriptions.ts).

export const CALLBACK_PATH = '/api/hooks/withings'
/** Where the callback lived before; still answered for the subscriptions Withings holds there. */
export const LEGACY_CALLBACK_PATH = '/api/notify/callback'
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
  /**
   * Whether `url` is a callback URL of this relay (its base, either path), whatever key made it:
   * Withings lists only the person's own subscriptions of this app, so such a URL is one this
   * relay subscribed for them.
   */
  isOurs(url: string): boolean
}

export const isCallbackToken = (text: string) => TOKEN.test(text)

export function createCallbackUrls(base: string, secrets: readonly string[]): CallbackUrls {
  const origin = base.replace(/\/+$/, '')
  const prefix = `${origin}${CALLBACK_PATH}/`
  const prefixes = [prefix, `${origin}${LEGACY_CALLBACK_PATH}/`]
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
  // Each person's tokens, once worked out: a burst of notifications (Withings sends a thousand
  // at once) then costs a comparison each, not a round of HMACs through Web Crypto's thread pool.
  // They are the URLs Withings already holds; a few thousand people's are a few hundred kB.
  const known = new Map<string, Promise<string[]>>()
  const tokensOf = (userid: string) => {
    let tokens = known.get(userid)
    if (!tokens) {
      if (known.size >= KNOWN_PEOPLE) known.delete(known.keys().next().value as string)
      tokens = keys.then((all) => Promise.all(all.map((key) => tokenOf(key, userid))))
      known.set(userid, tokens)
    }
    return tokens
  }
  return {
    async urlFor(userid) {
      const [first] = (await keys) as [CryptoKey]
      return prefix + (await tokenOf(first, userid))
    },
    async verify(token, userid) {
      if (!isCallbackToken(token)) return false
      let matched = false
      // Every key, always: how long verifying takes says nothing about which key matched.
      for (const expected of await tokensOf(userid))
        matched = constantTimeEqual(expected, token) || matched
      return matched
    },
    isOurs(url) {
      return prefixes.some(
        (start) => url.startsWith(start) && isCallbackToken(url.slice(start.length)),
      )
    },
  }
}

type CryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>

/** People whose callback tokens are kept worked out (the oldest forgotten past it). */
const KNOWN_PEOPLE = 10_000
