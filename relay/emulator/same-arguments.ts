// Withings refuses a call whose arguments are identical to one made less than 10 seconds before:
// `{"status":601,"body":{"wait_seconds":N},"error":"Same arguments in less than 10 seconds"}`
// (docs/withings.md, "Errors and limits"; 601 is "Too many request" in the reference's
// response_status table). The window starts at the first call; refused repeats do not extend it.

const SAME_ARGUMENTS_WINDOW_MS = 10_000

export interface SameArguments {
  /** Seconds left to wait when `key` was seen within the window; undefined (and remembered) otherwise. */
  check(key: string): number | undefined
}

export function createSameArguments({ now }: { now: () => number }): SameArguments {
  const seen = new Map<string, number>()
  return {
    check(key) {
      const at = now()
      // Keys sit in the order they were first seen: stop at the first still inside the window,
      // rather than walk every argument list of the last 10 seconds at every call.
      for (const [known, since] of seen) {
        if (at - since < SAME_ARGUMENTS_WINDOW_MS) break
        seen.delete(known)
      }
      const since = seen.get(key)
      if (since === undefined) {
        seen.set(key, at)
        return undefined
      }
      return Math.max(1, Math.ceil((since + SAME_ARGUMENTS_WINDOW_MS - at) / 1000))
    },
  }
}
