import { PHONE, PHONE_DAYS } from './activity'
import type { ServiceHandler } from './data-service'
import { dayWindowPage, pickFields } from './query'
import type { SeedContext } from './seed-context'

// Measure v2 - Getworkouts (reference: measurev2-getworkouts, workout_object), with what a real
// answer holds beside the reference's example (aiowithings' workouts.json fixture): walks counted
// by the phone (`deviceid: null`, Google Fit's model 1055), `algo_pause_duration` and
// `spo2_average` null, a workout whose `data` holds that one null field and nothing else, and one
// workout listed twice under the same id.

export interface Workout {
  id: number
  category: number
  timezone: string
  model: number
  attrib: number
  startdate: number
  enddate: number
  date: string
  modified: number
  /** null for a workout the phone counted. */
  deviceid: string | null
  data: Record<string, number | null>
}

interface WorkoutKind {
  category: number
  kmh: number
  stepLength: number
  kcalPerMinute: number
  heart: number
}

/** Workout categories from the reference: 1 Walk, 2 Run, 6 Bicycling. */
const KINDS: readonly [WorkoutKind, ...WorkoutKind[]] = [
  { category: 1, kmh: 5, stepLength: 0.75, kcalPerMinute: 5, heart: 105 },
  { category: 2, kmh: 10, stepLength: 1.1, kcalPerMinute: 11, heart: 150 },
  { category: 6, kmh: 20, stepLength: 0, kcalPerMinute: 8, heart: 130 },
]

export function seedWorkouts(ctx: SeedContext): Workout[] {
  const { days, devices, until, user } = ctx
  const random = ctx.random('workouts')
  const workouts: Workout[] = []
  for (const day of days) {
    const happened = random.chance(0.35)
    const kind = random.pick(KINDS)
    const startdate = ctx.at(day, random.int(7 * 60, 19 * 60))
    const seconds = random.int(25, 75) * 60
    const heart = Math.round(random.normal(kind.heart, 6))
    const elevation = random.int(0, 15)
    const sync = random.int(60, 1800)
    if (!happened || startdate + seconds + sync > until) continue
    const distance = Math.round((kind.kmh * 1000 * seconds) / 3600)
    const zone2 = Math.round(seconds * (kind.category === 2 ? 0.5 : 0.15))
    const zone3 = Math.round(seconds * (kind.category === 2 ? 0.15 : 0.02))
    const zone1 = Math.round(seconds * 0.4)
    workouts.push({
      id: user.userid * 1000 + workouts.length + 1,
      category: kind.category,
      timezone: user.timezone,
      model: devices.watch.model_id,
      attrib: 0,
      startdate,
      enddate: startdate + seconds,
      date: day,
      modified: startdate + seconds + sync,
      deviceid: devices.watch.deviceid,
      data: {
        calories: Math.round((kind.kcalPerMinute * seconds) / 60),
        intensity: 0,
        manual_intensity: 0,
        manual_distance: 0,
        manual_calories: 0,
        hr_average: heart,
        hr_min: heart - 28,
        hr_max: heart + 24,
        hr_zone_0: seconds - zone1 - zone2 - zone3,
        hr_zone_1: zone1,
        hr_zone_2: zone2,
        hr_zone_3: zone3,
        pause_duration: 0,
        steps: kind.stepLength > 0 ? Math.round(distance / kind.stepLength) : 0,
        distance,
        elevation,
        ...UNMEASURED,
      },
    })
  }
  return [...workouts, ...phoneWalks(ctx, workouts.length)].sort(
    (a, b) => a.startdate - b.startdate,
  )
}

/** Fields real answers send as null when nothing measured them. */
const UNMEASURED = { algo_pause_duration: null, spo2_average: null }

/**
 * A short walk on each day the phone counted the steps: no device, no heart rate. The oldest
 * holds nothing but `algo_pause_duration: null`; the newest is listed twice, id and all.
 */
function phoneWalks(ctx: SeedContext, seeded: number): Workout[] {
  const { days, until, user } = ctx
  const random = ctx.random('phone-walks')
  const walks = [...PHONE_DAYS]
    .sort((a, b) => b - a)
    .flatMap((daysAgo, index): Workout[] => {
      const day = days[days.length - 1 - daysAgo]
      const startdate = day && ctx.at(day, random.int(12 * 60, 18 * 60))
      const seconds = random.int(4, 12) * 60
      const steps = Math.round(seconds * 1.7)
      if (!day || !startdate || startdate + seconds + 600 > until) return []
      return [
        {
          id: user.userid * 1000 + seeded + index + 1,
          category: 1,
          timezone: user.timezone,
          model: PHONE.modelid,
          attrib: 0,
          startdate,
          enddate: startdate + seconds,
          date: day,
          modified: startdate + seconds + 600,
          deviceid: PHONE.deviceid,
          data:
            index === 0
              ? { algo_pause_duration: null }
              : {
                  calories: Math.round(seconds / 12),
                  intensity: 30,
                  manual_distance: 0,
                  manual_calories: 0,
                  pause_duration: 0,
                  steps,
                  distance: Math.round(steps * 0.75),
                  elevation: 0,
                  ...UNMEASURED,
                },
        },
      ]
    })
  const newest = walks.at(-1)
  return newest ? [...walks, { ...newest }] : walks
}

export const getworkouts: ServiceHandler = ({ params, data, pageSize }) => {
  const { items, more, offset, fields } = dayWindowPage(data.workouts, params, pageSize)
  return {
    series: items.map((workout) => ({ ...workout, data: pickFields(workout.data, fields) })),
    more,
    offset,
  }
}
