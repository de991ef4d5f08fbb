import type { Pause } from './subscriptions'

/**
 * Waits on a timer, or until `stopping` aborts (then resolves false at once): a shutdown must not
 * wait out the seconds between two Notify calls, only the calls under way.
 */
export function timerPause(stopping?: AbortSignal): Pause {
  return (ms) =>
    new Promise((resolve) => {
      if (stopping?.aborted) return resolve(false)
      const stop = () => {
        clearTimeout(timer)
        resolve(false)
      }
      const timer = setTimeout(() => {
        stopping?.removeEventListener('abort', stop)
        resolve(true)
      }, ms)
      stopping?.addEventListener('abort', stop, { once: true })
    })
}
