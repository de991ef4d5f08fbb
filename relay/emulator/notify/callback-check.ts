import { strictProblem } from '../callbacks'
import { callWithDeadline, type OutgoingFetch } from './outgoing-call'

// Before it accepts a notification callback, Withings checks it: the URL must follow its
// callback rules (https, port 80 or 443, at most 255 characters, no localhost or IP address —
// relaxed here with `allowLocalCallbacks`, as for redirect URIs), and a HEAD request to it must
// answer 2xx in time (https://github.com/the-momentum/open-wearables/issues/177: "Withings
// validates notification callback URLs with HEAD"); otherwise the subscription is refused with
// status 293, as in https://github.com/home-assistant/core/issues/72614.

export interface CallbackCheckOptions {
  fetch: OutgoingFetch
  allowLocalCallbacks: boolean
  deadlineMs: number
}

/** Whether Withings would accept `text` as a notification callback. */
export async function callbackAccepted(
  text: string,
  { fetch, allowLocalCallbacks, deadlineMs }: CallbackCheckOptions,
): Promise<boolean> {
  if (!URL.canParse(text)) return false
  const url = new URL(text)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false
  if (url.username !== '' || url.password !== '' || url.hash !== '') return false
  if (!allowLocalCallbacks && strictProblem(url, text) !== undefined) return false
  try {
    const response = await callWithDeadline(
      fetch,
      url,
      { method: 'HEAD', redirect: 'manual' },
      deadlineMs,
    )
    return response.status >= 200 && response.status < 300
  } catch {
    return false
  }
}
