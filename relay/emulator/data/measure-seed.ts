import {
  ATTRIBUTION,
  MEASURE_TYPES,
  type Measure,
  type MeasureGroup,
  UNDOCUMENTED_ATTRIBUTIONS,
  WHOLE_BODY,
} from './measure'
import type { Prng } from './prng'
import type { Device, SeedContext } from './seed-context'

// The seeded measure groups of one user, oldest first: height once, weight and body composition
// most mornings, a weight typed in by hand on some days the scale was not used, blood pressure
// about three times a week, and a guest on the user's scale now and then, the last time just
// after the user's own last weighing (so a series that took it for the user's would show the
// guest's weight as the latest).

type Seeded = Omit<MeasureGroup, 'grpid'>

const measure = (type: number, value: number, unit: number, position?: number): Measure => ({
  value,
  type,
  unit,
  algo: 0,
  fm: 1,
  ...(position === undefined ? {} : { position }),
})

/** A Body Scan's share of muscle mass per body part: torso, legs, arms (reference positions). */
const SEGMENTS = [
  { position: 12, share: 0.5 },
  { position: 10, share: 0.17 },
  { position: 11, share: 0.17 },
  { position: 2, share: 0.06 },
  { position: 3, share: 0.06 },
] as const

/**
 * A Body Scan weighing as aiowithings' measurement_positions.json and measurement_list_2.json
 * record one: weight and fat ratio without a position, fat mass and fat-free mass each twice at
 * the whole-body position, muscle mass once per body part, the basal metabolic rate (kcal, whole
 * body) and the metabolic age (years).
 */
function weighing(grams: number, fat: number): Measure[] {
  const fatGrams = Math.round((grams * fat) / 100)
  const fatFree = grams - fatGrams
  const muscle = fatFree * 0.93
  // Katch–McArdle from the fat-free mass; an age that follows the fat ratio.
  const basal = Math.round(370 + (21.6 * fatFree) / 1000)
  const age = Math.round(18 + fat * 1.2)
  return [
    measure(MEASURE_TYPES.weight, grams, -3),
    measure(MEASURE_TYPES.fatRatio, Math.round(fat * 1000), -3),
    measure(MEASURE_TYPES.fatMassWeight, fatGrams, -3, WHOLE_BODY),
    measure(MEASURE_TYPES.fatMassWeight, fatGrams, -3, WHOLE_BODY),
    measure(MEASURE_TYPES.fatFreeMass, fatFree, -3, WHOLE_BODY),
    measure(MEASURE_TYPES.fatFreeMass, fatFree, -3, WHOLE_BODY),
    ...SEGMENTS.map(({ position, share }) =>
      measure(MEASURE_TYPES.muscleMassForSegments, Math.round((muscle * share) / 10), -2, position),
    ),
    measure(MEASURE_TYPES.basalMetabolicRate, basal, 0, WHOLE_BODY),
    measure(MEASURE_TYPES.metabolicAge, age, 0),
  ]
}

/** The newest own weighings that a Body Scan 2 follows with groups of undocumented attribs. */
const UNDOCUMENTED_FOLLOW_UPS = 3

export function seedMeasureGroups(ctx: SeedContext): MeasureGroup[] {
  const { user, days, devices, until } = ctx
  const profile = ctx.random('profile')
  const height = profile.int(158, 190) / 100
  const baseWeight = profile.between(20, 26.5) * height * height
  const drift = profile.between(-3, 1.5)
  const baseFat = profile.between(15, 29)
  const systolic = profile.int(110, 128)
  const diastolic = profile.int(70, 82)
  const pulse = profile.int(60, 74)

  const group = (
    fields: Pick<Seeded, 'attrib' | 'date' | 'created' | 'measures'>,
    device: Device | undefined,
  ): Seeded => ({
    ...fields,
    modified: fields.created,
    category: 1,
    deviceid: device?.deviceid ?? null,
    hash_deviceid: device?.deviceid ?? null,
    model: device?.model ?? null,
    modelid: device?.model_id ?? null,
    comment: null,
    timezone: user.timezone,
  })

  const own: Seeded[] = []
  const heightDate = ctx.at(days[0] ?? '', 9 * 60)
  own.push(
    group(
      {
        attrib: ATTRIBUTION.accountCreation,
        date: heightDate,
        created: heightDate,
        measures: [measure(MEASURE_TYPES.height, Math.round(height * 100), -2)],
      },
      undefined,
    ),
  )

  const weights = ctx.random('weight')
  const manual = ctx.random('manual-weight')
  let noise = 0
  days.forEach((day, index) => {
    noise = noise * 0.8 + weights.normal(0, 0.25)
    const weighed = weights.chance(0.85)
    const date = ctx.at(day, weights.int(6 * 60 + 15, 8 * 60 + 30)) + weights.int(0, 59)
    const fat = baseFat + weights.normal(0, 0.4)
    const sync = weights.int(20, 600)
    const grams = Math.round((baseWeight + (drift * index) / days.length + noise) * 100) * 10
    // On a day without the scale, now and then a weight typed into the app in the evening,
    // rounded to 100 g as people type it: attrib 2, no device.
    const typed = manual.chance(0.35)
    const typedAt = ctx.at(day, manual.int(20 * 60, 22 * 60 + 30))
    if (weighed && date + sync <= until) {
      own.push(
        group(
          {
            attrib: ATTRIBUTION.device,
            date,
            created: date + sync,
            measures: weighing(grams, fat),
          },
          devices.scale,
        ),
      )
    } else if (!weighed && typed && typedAt + 5 <= until) {
      const rounded = Math.round(grams / 100) * 100
      own.push(
        group(
          {
            attrib: ATTRIBUTION.manual,
            date: typedAt,
            created: typedAt + 5,
            measures: [measure(MEASURE_TYPES.weight, rounded, -3)],
          },
          undefined,
        ),
      )
    }
  })

  const pressures = ctx.random('blood-pressure')
  for (const day of days) {
    const taken = pressures.chance(0.45)
    const date = ctx.at(day, pressures.int(19 * 60 + 30, 21 * 60 + 30)) + pressures.int(0, 59)
    const values = [
      Math.round(pressures.normal(diastolic, 5)),
      Math.round(pressures.normal(systolic, 7)),
      Math.round(pressures.normal(pulse, 5)),
    ] as const
    if (!taken || date + 5 > until) continue
    own.push(
      group(
        {
          attrib: ATTRIBUTION.device,
          date,
          created: date + 5,
          measures: [
            measure(MEASURE_TYPES.diastolic, values[0], 0),
            measure(MEASURE_TYPES.systolic, values[1], 0),
            measure(MEASURE_TYPES.heartPulse, values[2], 0),
          ],
        },
        devices.bpm,
      ),
    )
  }

  const groups = [
    ...own,
    ...undocumentedGroups(own, (attrib, weighed, measures) =>
      group({ attrib, date: weighed.date, created: weighed.created, measures }, devices.scale),
    ),
    ...guestWeighings(ctx, own, baseWeight, (date, measures) =>
      group(
        { attrib: ATTRIBUTION.ambiguous, date, created: date + GUEST_SYNC, measures },
        devices.scale,
      ),
    ),
  ]
  return groups
    .sort((a, b) => a.date - b.date)
    .map((seeded, index) => ({ grpid: user.userid * 10_000 + index + 1, ...seeded }))
}

/**
 * Beside the newest weighings, a group for each attrib the reference does not document, at the
 * same moment: a weight 2.5 kg off the person's, and a basal metabolic rate alone. Charted as the
 * person's, they would put a second weight on the chart.
 */
function undocumentedGroups(
  own: readonly Seeded[],
  make: (attrib: number, weighed: Seeded, measures: Measure[]) => Seeded,
): Seeded[] {
  const weighings = own.filter(
    (g) =>
      g.attrib === ATTRIBUTION.device && g.measures.some((m) => m.type === MEASURE_TYPES.weight),
  )
  return weighings.slice(-UNDOCUMENTED_FOLLOW_UPS).flatMap((weighed) => {
    const weight = weighed.measures.find((m) => m.type === MEASURE_TYPES.weight)?.value ?? 0
    const [first, second] = UNDOCUMENTED_ATTRIBUTIONS
    return [
      make(first, weighed, [measure(MEASURE_TYPES.weight, weight + 2_500, -3)]),
      make(second, weighed, [measure(MEASURE_TYPES.basalMetabolicRate, 1_500, 0, WHOLE_BODY)]),
    ]
  })
}

/** Seconds from a guest's weighing to its upload. */
const GUEST_SYNC = 2

/**
 * Someone else on the user's scale (attrib 1: "may belong to other users", reference): on some
 * evenings, and minutes after the user's own last weighing, so the newest weight on the scale
 * is never the user's. Home-assistant/core's get_meas.json fixture has such a group.
 */
function guestWeighings(
  ctx: SeedContext,
  own: readonly Seeded[],
  ownWeight: number,
  make: (date: number, measures: Measure[]) => Seeded,
): Seeded[] {
  const random: Prng = ctx.random('guest')
  const guestWeight = ownWeight + random.pick([-1, 1] as const) * random.between(9, 18)
  const guestFat = random.between(14, 32)
  const weighed = (at: number) =>
    make(at, weighing(Math.round((guestWeight + random.normal(0, 0.3)) * 100) * 10, guestFat))
  const guests: Seeded[] = []
  for (const day of ctx.days) {
    const came = random.chance(0.1)
    const at = ctx.at(day, random.int(19 * 60, 22 * 60))
    if (came && at + GUEST_SYNC <= ctx.until) guests.push(weighed(at))
  }
  const lastOwn = own
    .filter((g) => g.measures.some((m) => m.type === MEASURE_TYPES.weight))
    .reduce<Seeded | undefined>((last, g) => (last && last.date >= g.date ? last : g), undefined)
  if (lastOwn) {
    // Between the user's weighing and the moment the data ends (own groups are uploaded at
    // least 5 s before it, so there is always room).
    const room = Math.floor((ctx.until - GUEST_SYNC - lastOwn.date) / 2)
    if (room >= 1) guests.push(weighed(lastOwn.date + Math.min(random.int(180, 900), room)))
  }
  return guests
}
