import { findUser, type SeededUser } from '../users'
import { type Activity, seedActivities } from './activity'
import { type HeartRecord, seedHeart } from './heart'
import { ATTRIBUTION, type MeasureGroup } from './measure'
import { seedMeasureGroups } from './measure-seed'
import { createSeedContext, type Devices, SEED_DAYS } from './seed-context'
import { type SleepSummary, seedSleep } from './sleep'
import type { Goals } from './user'
import { seedWorkouts, type Workout } from './workouts'

// The deterministic data behind the data routes: the same user and the same creation day always
// give the same numbers, and the data always ends "now" (the emulator clock at creation) so it
// looks recent. Built lazily, once per user.

export interface UserData {
  user: SeededUser
  /** Unix seconds at which the data ends. */
  until: number
  /** Local days covered, oldest first; the last is "today". */
  days: readonly string[]
  devices: Devices
  /** `[]` for a user who never set one, as Withings answers then. */
  goals: Goals | []
  /** Oldest first; a new weighing (added-measures.ts) is appended. */
  measuregrps: MeasureGroup[]
  activities: readonly Activity[]
  workouts: readonly Workout[]
  sleepSummaries: readonly SleepSummary[]
  ecgs: readonly HeartRecord[]
}

export interface LatestMeasure {
  /** Integer value; the real value is value × 10^unit. */
  value: number
  unit: number
  /** value × 10^unit, e.g. 65.75 (kg). */
  real: number
  date: number
  grpid: number
}

export interface SeedData {
  /** How many local days each user's data covers. */
  readonly days: number
  /** Everything seeded for one user; throws for an unknown userid. */
  of(userid: number): UserData
  /**
   * The user's own newest real measure of `type` (1 weight, 4 height, 6 fat ratio, 9, 10, 11, …):
   * what the dashboard must show as "Latest". A guest's weighing on the user's scale (attrib 1)
   * is newer and is not the user's, so it is never the answer.
   */
  latestMeasure(userid: number, type: number): LatestMeasure | undefined
}

export function createSeedData({
  users,
  createdAt,
}: {
  users: readonly SeededUser[]
  /** ms since the epoch. */
  createdAt: number
}): SeedData {
  const cache = new Map<number, UserData>()

  function build(user: SeededUser): UserData {
    const ctx = createSeedContext(user, createdAt)
    const measuregrps = seedMeasureGroups(ctx)
    const weight = latestIn(measuregrps, 1)
    return {
      user,
      until: ctx.until,
      days: ctx.days,
      devices: ctx.devices,
      goals: user.setGoals
        ? {
            steps: 10_000,
            sleep: 28_800,
            // Two kilograms under the latest weight, on a half-kilogram step.
            weight: { value: weight ? Math.round((weight.real - 2) * 2) * 500 : 0, unit: -3 },
          }
        : [],
      measuregrps,
      activities: seedActivities(ctx),
      workouts: seedWorkouts(ctx),
      sleepSummaries: seedSleep(ctx),
      ecgs: seedHeart(ctx),
    }
  }

  const of = (userid: number): UserData => {
    const cached = cache.get(userid)
    if (cached) return cached
    const user = findUser(users, userid)
    if (!user) throw new Error(`No seeded user ${userid}`)
    const data = build(user)
    cache.set(userid, data)
    return data
  }

  return {
    days: SEED_DAYS,
    of,
    latestMeasure: (userid, type) => latestIn(of(userid).measuregrps, type),
  }
}

/** The attribs the seed gives the person's own measures (the guest's and undocumented ones aside). */
const OWN_SEEDED: ReadonlySet<number> = new Set([
  ATTRIBUTION.device,
  ATTRIBUTION.manual,
  ATTRIBUTION.accountCreation,
])

function latestIn(groups: readonly MeasureGroup[], type: number): LatestMeasure | undefined {
  for (let i = groups.length - 1; i >= 0; i--) {
    const group = groups[i]
    const own = group?.category === 1 && OWN_SEEDED.has(group.attrib)
    const measure = own ? group.measures.find((m) => m.type === type) : undefined
    if (group && measure) {
      return {
        value: measure.value,
        unit: measure.unit,
        real: Number((measure.value * 10 ** measure.unit).toFixed(Math.max(0, -measure.unit))),
        date: group.date,
        grpid: group.grpid,
      }
    }
  }
  return undefined
}
