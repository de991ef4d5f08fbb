// Withings' retries of a notification (notification overview,
// https://oauth.withings.com/developer-guide/v3/integration-guide/withings-rpm/data-api/notifications/notification-overview/):
// "attempted up to 10 times total", "2 HTTP attempts per retry cycle", 5 cycles — immediately,
// then after 10 s, after 1 min + 1–10 min, after 1 h + 2–20 min, after 4 h + 3–30 min — about
// 5½ hours in all. Each delay is counted from the previous cycle. The older data-update guide
// (https://developer.withings.com/developer-guide/data-api/data-update-notifications/) says the
// subscription is removed after repeated failures; the emulator removes it when all 10 tries of
// one notification have failed.

const SECOND = 1000
const MINUTE = 60 * SECOND
const HOUR = 60 * MINUTE

export const TRIES_PER_CYCLE = 2

/** Each cycle's wait after the previous one: a fixed part plus a random part in [from, to]. */
const CYCLES: readonly { fixed: number; from: number; to: number }[] = [
  { fixed: 0, from: 0, to: 0 },
  { fixed: 10 * SECOND, from: 0, to: 0 },
  { fixed: MINUTE, from: MINUTE, to: 10 * MINUTE },
  { fixed: HOUR, from: 2 * MINUTE, to: 20 * MINUTE },
  { fixed: 4 * HOUR, from: 3 * MINUTE, to: 30 * MINUTE },
]

/** The wait before each cycle, in ms; `random` (uniform in [0, 1)) draws the random parts. */
export function cycleDelays(random: () => number): number[] {
  return CYCLES.map(({ fixed, from, to }) => fixed + from + Math.floor(random() * (to - from)))
}
