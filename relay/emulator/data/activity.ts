import { minutesOfDay, weekday } from './calendar'
import type { ServiceHandler } from './data-service'
import { createPrng } from './prng'
import { dataFields, dayWindowPage, optionalInt, pickFields } from './query'
import type { SeedContext } from './seed-context'

// Measure v2 - Getactivity and Getintradayactivity (reference: measurev2-getactivity,
// activity_object, measurev2-getintradayactivity), tracked by the user's watch, or on the days
// it was left to charge, by their phone.

export interface Activity {
  date: string
  timezone: string
  deviceid: string | null
  hash_deviceid: string | null
  brand: number
  is_tracker: boolean
  modified: number
  model: string
  modelid: number
  steps: number
  distance: number
  elevation: number
  soft: number
  moderate: number
  intense: number
  active: number
  calories: number
  totalcalories: number
  /** Heart rate comes from the watch; a phone's days have none. */
  hr_average?: number
  hr_min?: number
  hr_max?: number
  hr_zone_0?: number
  hr_zone_1?: number
  hr_zone_2?: number
  hr_zone_3?: number
}

/** Days before "today" counted by the phone while the watch was charging. */
export const PHONE_DAYS = [3, 12, 26, 61, 118]

/**
 * What a phone's day says of its source: no device (`deviceid` null), `is_tracker: false`, brand
 * 18 and Google Fit's model (home-assistant/core's activity.json fixture).
 */
export const PHONE = {
  deviceid: null,
  hash_deviceid: null,
  brand: 18,
  is_tracker: false,
  model: 'GoogleFit tracker',
  modelid: 1055,
} as const

/** Sent whatever `data_fields` asks for. */
const ACTIVITY_META = [
  'date',
  'timezone',
  'deviceid',
  'hash_deviceid',
  'brand',
  'is_tracker',
  'modified',
  'model',
  'modelid',
]

/** One day per local day, oldest first; today only up to the moment the data ends. */
export function seedActivities(ctx: SeedContext): Activity[] {
  const { days, devices, until, user } = ctx
  const profile = ctx.random('activity-profile')
  const stride = profile.between(0.68, 0.8)
  const basal = profile.int(1350, 1800)
  const random = ctx.random('activity')
  const today = days[days.length - 1]

  return days.map((day, index) => {
    const phone = PHONE_DAYS.includes(days.length - 1 - index)
    const weekend = weekday(day) === 0 || weekday(day) === 6
    // Today is a partial day: everything so far scales with the share of the day gone by.
    const share = day === today ? Math.min(1, Math.max(0, (until - ctx.at(day, 0)) / 86_400)) : 1
    const scaled = (value: number) => Math.round(value * share)
    const steps = scaled(Math.max(600, random.normal(weekend ? 7000 : 9200, 2600)))
    const soft = scaled(random.int(1800, 6000))
    const moderate = scaled(random.int(600, 3000))
    const intense = scaled(random.int(0, 1800))
    const calories = Math.round(steps * 0.04 + moderate * 0.06 + intense * 0.15)
    const hrAverage = random.int(66, 82)
    const elevation = scaled(random.int(0, 24))
    const hrMin = random.int(46, 58)
    const hrMax = random.int(118, 168)
    const zone0 = scaled(random.int(28_000, 48_000))
    const source = phone
      ? PHONE
      : {
          deviceid: devices.watch.deviceid,
          hash_deviceid: devices.watch.deviceid,
          brand: 1,
          is_tracker: true,
          model: devices.watch.model,
          modelid: devices.watch.model_id,
        }
    const heart = {
      hr_average: hrAverage,
      hr_min: hrMin,
      hr_max: hrMax,
      hr_zone_0: zone0,
      hr_zone_1: moderate,
      hr_zone_2: Math.round(intense * 0.7),
      hr_zone_3: intense - Math.round(intense * 0.7),
    }
    return {
      date: day,
      timezone: user.timezone,
      ...source,
      modified: day === today ? until : Math.min(until, ctx.at(day, 23 * 60 + 59)),
      steps,
      distance: Math.round(steps * stride * 10) / 10,
      elevation,
      soft,
      moderate,
      intense,
      active: moderate + intense,
      calories,
      totalcalories: calories + scaled(basal),
      ...(phone ? {} : heart),
    }
  })
}

export const getactivity: ServiceHandler = ({ params, data, pageSize }) => {
  const { items, more, offset, fields } = dayWindowPage(data.activities, params, pageSize)
  return {
    activities: items.map((activity) => pickFields(activity, fields, ACTIVITY_META)),
    more,
    offset,
  }
}

const INTRADAY_STEP_SECONDS = 15 * 60
const DAY_SECONDS = 24 * 60 * 60

/**
 * Generated on request, deterministically per user and timestamp. "If your input startdate and
 * enddate are separated by more than 24h, only the first 24h after startdate will be returned";
 * without them, the most recent data.
 */
export const getintradayactivity: ServiceHandler = ({ params, data }) => {
  const fields = dataFields(params)
  const until = data.until
  const enddate = Math.min(optionalInt(params, 'enddate') ?? until, until)
  const startdate = optionalInt(params, 'startdate') ?? enddate - DAY_SECONDS
  const end = Math.min(enddate, startdate + DAY_SECONDS, until)
  const { watch } = data.devices
  const series: Record<string, Record<string, unknown>> = {}
  const first = Math.ceil(startdate / INTRADAY_STEP_SECONDS) * INTRADAY_STEP_SECONDS
  for (let time = first; time <= end; time += INTRADAY_STEP_SECONDS) {
    const minute = minutesOfDay(time * 1000, data.user.timezone)
    if (minute < 7 * 60 || minute > 22 * 60) continue
    const random = createPrng(`${data.user.userid}:intraday:${time}`)
    const steps = random.chance(0.3) ? 0 : random.int(40, 1400)
    const sample = {
      deviceid: watch.deviceid,
      model: watch.model,
      model_id: watch.model_id,
      steps,
      elevation: steps > 800 ? random.int(0, 3) : 0,
      calories: Math.round(steps * 0.045 * 100) / 100,
      distance: Math.round(steps * 0.74 * 10) / 10,
      duration: steps > 0 ? random.int(120, INTRADAY_STEP_SECONDS) : 0,
      heart_rate: random.int(steps > 900 ? 95 : 62, steps > 900 ? 130 : 88),
    }
    series[String(time)] = pickFields(sample, fields, ['deviceid', 'model', 'model_id'])
  }
  return { series }
}
