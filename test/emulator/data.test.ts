import { describe, expect, it } from 'vitest'
import { insufficientScopeAnswer } from '../fixtures/withings/errors'
import { BASE, dataCall, envelopeOf, START, setup, signedIn } from './support'

const INVALID_TOKEN = {
  status: 401,
  body: {},
  error: 'XRequestID: Not provided invalid_token: The access token provided is invalid',
}
const ALL_SCOPES = 'user.info,user.metrics,user.activity'

interface Group {
  grpid: number
  date: number
  modified: number
  category: number
  measures: { value: number; type: number; unit: number }[]
}

async function demo(options: Parameters<typeof setup>[0] = {}, scope = ALL_SCOPES) {
  const context = setup(options)
  const tokens = await signedIn(context.emulator, { mode: 'demo', scope })
  const call = (service: string, params: Record<string, string>) =>
    dataCall(context.emulator, service, params, tokens.access)
  return { ...context, tokens, call, data: context.emulator.data.of(363) }
}

describe('authentication and scopes on the data routes', () => {
  it('answers Withings’ 401 envelope without a token, with an unknown one, and after expiry', async () => {
    const { emulator, clock, tokens } = await demo({ accessTokenTtlSeconds: 60 })
    expect(await dataCall(emulator, 'measure', { action: 'getmeas' })).toEqual(INVALID_TOKEN)
    expect(await dataCall(emulator, 'measure', { action: 'getmeas' }, 'f'.repeat(40))).toEqual(
      INVALID_TOKEN,
    )
    clock.advance(59_000)
    expect((await dataCall(emulator, 'measure', { action: 'getmeas' }, tokens.access)).status).toBe(
      0,
    )
    clock.advance(1_000)
    expect(await dataCall(emulator, 'measure', { action: 'getmeas' }, tokens.access)).toEqual(
      INVALID_TOKEN,
    )
  })

  it('accepts the bearer scheme in any case, and rejects other schemes', async () => {
    const { emulator, tokens } = await demo()
    const withHeader = async (authorization: string) =>
      envelopeOf(
        await emulator.fetch(
          new Request(`${BASE}/v2/user`, {
            method: 'POST',
            headers: { authorization },
            body: new URLSearchParams({ action: 'getgoals' }),
          }),
        ),
      )
    expect((await withHeader(`bearer ${tokens.access}`)).status).toBe(0)
    expect(await withHeader(`Basic ${tokens.access}`)).toEqual(INVALID_TOKEN)
  })

  it('answers 2554 for an unknown or missing action', async () => {
    const { call } = await demo()
    expect(await call('measure', { action: 'getmeasure' })).toEqual({
      status: 2554,
      body: {},
      error: 'Not implemented',
    })
    expect((await call('v2/sleep', {})).status).toBe(2554)
  })

  it('enforces Withings’ scope table with the envelope real Withings sends: status 403, Insufficient_scope', async () => {
    // The same envelope as test/fixtures/withings/errors.ts records (python-withings issue 587).
    const insufficient = insufficientScopeAnswer
    const metrics = await demo({}, 'user.metrics')
    expect((await metrics.call('measure', { action: 'getmeas' })).status).toBe(0)
    expect((await metrics.call('v2/heart', { action: 'list' })).status).toBe(0)
    expect(
      await metrics.call('v2/measure', {
        action: 'getactivity',
        startdateymd: '2025-06-01',
        enddateymd: '2025-06-02',
      }),
    ).toEqual(insufficient)
    expect(await metrics.call('v2/user', { action: 'getdevice' })).toEqual(insufficient)

    const activity = await demo({}, 'user.activity')
    expect(await activity.call('measure', { action: 'getmeas' })).toEqual(insufficient)
    expect(await activity.call('v2/heart', { action: 'get', signalid: '36301' })).toEqual(
      insufficient,
    )
    expect(
      (await activity.call('v2/sleep', { action: 'getsummary', lastupdate: '0' })).status,
    ).toBe(0)
    expect(
      (await activity.call('v2/measure', { action: 'getworkouts', lastupdate: '0' })).status,
    ).toBe(0)
    expect(await activity.call('v2/user', { action: 'getgoals' })).toEqual(insufficient)

    const info = await demo({}, 'user.info')
    expect((await info.call('v2/user', { action: 'getgoals' })).status).toBe(0)
    expect(await info.call('v2/sleep', { action: 'getsummary', lastupdate: '0' })).toEqual(
      insufficient,
    )
  })

  it('reads parameters from the query string as well as the body', async () => {
    const { emulator, tokens } = await demo()
    const response = await emulator.fetch(
      new Request(`${BASE}/measure?action=getmeas&meastype=4`, {
        headers: { authorization: `Bearer ${tokens.access}` },
      }),
    )
    const result = await envelopeOf(response)
    expect(result.status).toBe(0)
    expect((result.body.measuregrps as Group[]).map((g) => g.measures[0]?.type)).toEqual([4])
  })
})

describe('Measure - Getmeas', () => {
  it('pages 100 groups at a time, newest first, with more and offset; the last page has neither', async () => {
    const { call, data } = await demo()
    const total = data.measuregrps.length
    expect(total).toBeGreaterThan(200)
    const seen: Group[] = []
    let offset = 0
    for (let pageIndex = 0; pageIndex < 5; pageIndex++) {
      const { status, body } = await call('measure', { action: 'getmeas', offset: String(offset) })
      expect(status).toBe(0)
      seen.push(...(body.measuregrps as Group[]))
      if (!('more' in body)) {
        // As aiowithings' measurement.json records a last page: neither `more` nor `offset`.
        expect(body).not.toHaveProperty('offset')
        break
      }
      expect(body.more).toBe(1)
      expect(body.offset).toBe(offset + 100)
      offset = body.offset as number
    }
    expect(seen).toHaveLength(total)
    expect(new Set(seen.map((g) => g.grpid)).size).toBe(total)
    const dates = seen.map((g) => g.date)
    expect(dates).toEqual([...dates].sort((a, b) => b - a))
  })

  it('answers the envelope fields real answers carry', async () => {
    const { call, data } = await demo()
    const { body } = await call('measure', { action: 'getmeas', meastype: '1' })
    expect(body.updatetime).toBe(START / 1000)
    expect(body.timezone).toBe('Europe/Paris')
    const groups = body.measuregrps as Record<string, unknown>[]
    for (const group of groups) {
      expect(Object.keys(group).sort()).toEqual(
        [
          'attrib',
          'category',
          'comment',
          'created',
          'date',
          'deviceid',
          'grpid',
          'hash_deviceid',
          'measures',
          'model',
          'modelid',
          'modified',
          'timezone',
        ].sort(),
      )
      expect(group.comment).toBeNull()
    }
    const weighing = groups.find((group) => group.attrib === 0)
    expect(weighing).toMatchObject({
      deviceid: data.devices.scale.deviceid,
      model: 'Body Scan',
      modelid: 10,
    })
  })

  it('gives weight in kg with unit -3, height in m, blood pressure in mmHg with unit 0', async () => {
    const { call, emulator } = await demo()
    const weights = (await call('measure', { action: 'getmeas', meastype: '1' })).body
      .measuregrps as (Group & { attrib: number })[]
    // The person's own: neither a guest's (1) nor the undocumented 10009/10010 of a Body Scan 2.
    const [weight] = weights.find((group) => [0, 2].includes(group.attrib))?.measures ?? []
    expect(weight).toMatchObject({ type: 1, unit: -3, algo: 0, fm: 1 })
    const kg = (weight?.value ?? 0) * 10 ** (weight?.unit ?? 0)
    expect(kg).toBeGreaterThan(40)
    expect(kg).toBeLessThan(130)
    expect(emulator.data.latestMeasure(363, 1)).toMatchObject({ value: weight?.value, unit: -3 })
    expect(emulator.data.latestMeasure(363, 1)?.real).toBeCloseTo(kg, 6)

    const heights = (await call('measure', { action: 'getmeas', meastype: '4' })).body
      .measuregrps as Group[]
    expect(heights).toHaveLength(1)
    const height = heights[0]?.measures[0]
    const metres = (height?.value ?? 0) * 10 ** (height?.unit ?? 0)
    expect(metres).toBeGreaterThan(1.5)
    expect(metres).toBeLessThan(2)

    const pressures = (await call('measure', { action: 'getmeas', meastypes: '9,10,11' })).body
      .measuregrps as Group[]
    expect(pressures.length).toBeGreaterThan(50)
    for (const group of pressures) {
      expect(group.measures.map((m) => m.type)).toEqual([9, 10, 11])
      expect(group.measures.every((m) => m.unit === 0)).toBe(true)
      const [diastolic, systolic] = group.measures
      expect(systolic?.value ?? 0).toBeGreaterThan(diastolic?.value ?? 0)
    }
  })

  it('covers at least 120 days of weight and fat ratio, in the same groups', async () => {
    const { call } = await demo()
    const groups: (Group & { attrib: number })[] = []
    let offset = 0
    do {
      const { body } = await call('measure', {
        action: 'getmeas',
        meastypes: '1,6',
        offset: String(offset),
      })
      groups.push(...(body.measuregrps as (Group & { attrib: number })[]))
      offset = body.offset as number
    } while (offset > 0)
    const days =
      (Math.max(...groups.map((g) => g.date)) - Math.min(...groups.map((g) => g.date))) / 86_400
    expect(days).toBeGreaterThanOrEqual(120)
    // The scale measures both; a weight typed in by hand (attrib 2) is a weight alone.
    const types = (attrib: number) =>
      new Set(
        groups.filter((g) => g.attrib === attrib).map((g) => g.measures.map((m) => m.type).join()),
      )
    expect(types(0)).toEqual(new Set(['1,6']))
    expect(types(1)).toEqual(new Set(['1,6']))
    expect(types(2)).toEqual(new Set(['1']))
  })

  it('filters by startdate and enddate (inclusive), lastupdate and category', async () => {
    const { call, data } = await demo()
    const startdate = START / 1000 - 14 * 86_400
    const enddate = START / 1000 - 7 * 86_400
    const { body } = await call('measure', {
      action: 'getmeas',
      startdate: String(startdate),
      enddate: String(enddate),
    })
    const groups = body.measuregrps as Group[]
    const expected = data.measuregrps.filter((g) => g.date >= startdate && g.date <= enddate)
    expect(groups.map((g) => g.grpid).sort()).toEqual(expected.map((g) => g.grpid).sort())
    expect(groups.length).toBeGreaterThan(5)

    const since = START / 1000 - 3 * 86_400
    const recent = (await call('measure', { action: 'getmeas', lastupdate: String(since) })).body
      .measuregrps as Group[]
    expect(recent.length).toBeGreaterThan(0)
    expect(recent.every((g) => g.modified >= since)).toBe(true)
    expect(recent).toHaveLength(data.measuregrps.filter((g) => g.modified >= since).length)

    expect((await call('measure', { action: 'getmeas', category: '2' })).body.measuregrps).toEqual(
      [],
    )
  })

  it('refuses malformed parameters with status 503', async () => {
    const { call } = await demo()
    expect(await call('measure', { action: 'getmeas', startdate: 'yesterday' })).toEqual({
      status: 503,
      body: {},
      error: 'Invalid Params: invalid startdate',
    })
    expect((await call('measure', { action: 'getmeas', meastypes: '1,x' })).error).toBe(
      'Invalid Params: invalid meastypes',
    )
    expect((await call('measure', { action: 'getmeas', offset: '-1' })).status).toBe(503)
  })

  it('is deterministic per user and day, and different between users', async () => {
    const a = await demo()
    const b = await demo()
    const first = await a.call('measure', { action: 'getmeas' })
    const second = await b.call('measure', { action: 'getmeas' })
    expect(second).toEqual(first)
    expect(a.emulator.data.latestMeasure(4815162, 1)).not.toEqual(
      a.emulator.data.latestMeasure(363, 1),
    )
  })
})

describe('Measure v2 - Getactivity, Getworkouts, Getintradayactivity', () => {
  it('returns one activity per day between startdateymd and enddateymd, inclusive', async () => {
    const { call } = await demo()
    const { status, body } = await call('v2/measure', {
      action: 'getactivity',
      startdateymd: '2025-06-08',
      enddateymd: '2025-06-14',
    })
    expect(status).toBe(0)
    const activities = body.activities as Record<string, unknown>[]
    expect(activities.map((a) => a.date)).toEqual([
      '2025-06-08',
      '2025-06-09',
      '2025-06-10',
      '2025-06-11',
      '2025-06-12',
      '2025-06-13',
      '2025-06-14',
    ])
    expect(body.more).toBe(false)
    expect(body.offset).toBe(0)
    const [first] = activities
    expect(first).toMatchObject({
      timezone: 'Europe/Paris',
      brand: 1,
      is_tracker: true,
      modelid: 93,
    })
    for (const field of [
      'steps',
      'distance',
      'elevation',
      'soft',
      'moderate',
      'intense',
      'active',
      'calories',
      'totalcalories',
      'hr_average',
      'hr_min',
      'hr_max',
      'hr_zone_0',
      'hr_zone_1',
      'hr_zone_2',
      'hr_zone_3',
    ]) {
      expect(typeof first?.[field], field).toBe('number')
    }
    expect(first?.active).toBe((first?.moderate as number) + (first?.intense as number))
  })

  it('ends today, in the user’s time zone, so the data looks recent', async () => {
    const { call } = await demo()
    const { body } = await call('v2/measure', {
      action: 'getactivity',
      startdateymd: '2025-06-01',
      enddateymd: '2025-06-30',
    })
    const dates = (body.activities as { date: string }[]).map((a) => a.date)
    expect(dates.at(-1)).toBe('2025-06-15')
  })

  it('honours data_fields, lastupdate and paging', async () => {
    const { call } = await demo()
    const picked = await call('v2/measure', {
      action: 'getactivity',
      startdateymd: '2025-06-14',
      enddateymd: '2025-06-14',
      data_fields: 'steps,distance',
    })
    const [day] = picked.body.activities as Record<string, unknown>[]
    expect(day).toHaveProperty('steps')
    expect(day).toHaveProperty('distance')
    expect(day).toHaveProperty('date', '2025-06-14')
    expect(day).not.toHaveProperty('calories')

    const since = START / 1000 - 2 * 86_400
    const updated = await call('v2/measure', { action: 'getactivity', lastupdate: String(since) })
    const modified = (updated.body.activities as { modified: number }[]).map((a) => a.modified)
    expect(modified.length).toBeGreaterThanOrEqual(2)
    expect(modified.every((m) => m >= since)).toBe(true)

    const all = await call('v2/measure', {
      action: 'getactivity',
      startdateymd: '2024-01-01',
      enddateymd: '2025-12-31',
    })
    expect(all.body).toMatchObject({ more: true, offset: 100 })
    const rest = await call('v2/measure', {
      action: 'getactivity',
      startdateymd: '2024-01-01',
      enddateymd: '2025-12-31',
      offset: '100',
    })
    expect(rest.body).toMatchObject({ more: false, offset: 0 })
    expect((rest.body.activities as unknown[]).length).toBe(80)
  })

  it('needs either startdateymd+enddateymd or lastupdate, well-formed', async () => {
    const { call } = await demo()
    const activity = (params: Record<string, string>) =>
      call('v2/measure', { action: 'getactivity', ...params })
    expect((await activity({})).error).toBe('Invalid Params: invalid startdateymd')
    expect((await activity({ startdateymd: '2025-06-01' })).error).toBe(
      'Invalid Params: invalid enddateymd',
    )
    expect((await activity({ startdateymd: '2025-02-30', enddateymd: '2025-03-01' })).status).toBe(
      503,
    )
    expect(
      (await activity({ startdateymd: '2025-06-01', enddateymd: '2025-06-02', lastupdate: '1' }))
        .status,
    ).toBe(503)
  })

  it('lists workouts in the reference’s shape', async () => {
    const { call } = await demo()
    const { body } = await call('v2/measure', {
      action: 'getworkouts',
      startdateymd: '2025-05-01',
      enddateymd: '2025-06-15',
      data_fields: 'calories,hr_average',
    })
    const workouts = body.series as Record<string, unknown>[]
    expect(workouts.length).toBeGreaterThan(5)
    for (const workout of workouts) {
      expect([1, 2, 6]).toContain(workout.category)
      expect(workout.enddate as number).toBeGreaterThan(workout.startdate as number)
      // The watch's carry a heart rate; the phone's walks none (real-shapes.test.ts).
      const fields = Object.keys(workout.data as object).sort()
      expect(workout.deviceid === null ? ['calories'] : ['calories', 'hr_average']).toEqual(fields)
    }
  })

  it('returns intraday samples keyed by timestamp, at most 24 h after startdate', async () => {
    const { call } = await demo()
    const startdate = START / 1000 - 3 * 86_400
    const { body } = await call('v2/measure', {
      action: 'getintradayactivity',
      startdate: String(startdate),
      enddate: String(startdate + 3 * 86_400),
      data_fields: 'steps,heart_rate',
    })
    const series = body.series as Record<string, Record<string, unknown>>
    const times = Object.keys(series).map(Number)
    expect(times.length).toBeGreaterThan(30)
    expect(Math.min(...times)).toBeGreaterThanOrEqual(startdate)
    expect(Math.max(...times)).toBeLessThanOrEqual(startdate + 86_400)
    const [sample] = Object.values(series)
    expect(Object.keys(sample ?? {}).sort()).toEqual([
      'deviceid',
      'heart_rate',
      'model',
      'model_id',
      'steps',
    ])
  })
})

describe('Sleep v2 - Getsummary and Get', () => {
  it('returns nightly summaries by date with the reference’s fields', async () => {
    const { call } = await demo()
    const { status, body } = await call('v2/sleep', {
      action: 'getsummary',
      startdateymd: '2025-06-01',
      enddateymd: '2025-06-15',
    })
    expect(status).toBe(0)
    const nights = body.series as Record<string, unknown>[]
    expect(nights.length).toBeGreaterThanOrEqual(12)
    for (const night of nights) {
      expect((night.date as string) >= '2025-06-01' && (night.date as string) <= '2025-06-15').toBe(
        true,
      )
      expect(night.enddate as number).toBeGreaterThan(night.startdate as number)
      const data = night.data as Record<string, number>
      const stages = [data.lightsleepduration, data.deepsleepduration, data.remsleepduration]
      if (data.total_sleep_time === -1) {
        // "Not available": a night in bed whose stages are unknown.
        expect(stages).toEqual([-1, -1, -1])
      } else {
        expect(data.total_sleep_time).toBe(
          stages.reduce<number>((sum, value) => sum + (value ?? 0), 0),
        )
      }
      for (const field of ['wakeupcount', 'sleep_score', 'hr_average', 'total_timeinbed']) {
        expect(typeof data[field], field).toBe('number')
      }
    }
    expect(body).toMatchObject({ more: false, offset: 0 })
  })

  it('filters summary data with data_fields and by lastupdate', async () => {
    const { call } = await demo()
    const { body } = await call('v2/sleep', {
      action: 'getsummary',
      lastupdate: String(START / 1000 - 2 * 86_400),
      data_fields: 'sleep_score,total_sleep_time',
    })
    const nights = body.series as { data: object }[]
    expect(nights.length).toBeGreaterThanOrEqual(1)
    expect(nights.length).toBeLessThanOrEqual(3)
    expect(Object.keys(nights[0]?.data ?? {}).sort()).toEqual(['sleep_score', 'total_sleep_time'])
  })

  it('cuts a night into sleep states with sleepv2-get', async () => {
    const { call, data } = await demo()
    const night = data.sleepSummaries.at(-1)
    if (!night) throw new Error('no night seeded')
    const { body } = await call('v2/sleep', {
      action: 'get',
      startdate: String(night.startdate - 3600),
      enddate: String(night.enddate + 3600),
      data_fields: 'hr',
    })
    const states = body.series as {
      startdate: number
      enddate: number
      state: number
      hr?: object
    }[]
    expect(states.length).toBeGreaterThan(4)
    const slept = (state: number) =>
      states.filter((s) => s.state === state).reduce((sum, s) => sum + s.enddate - s.startdate, 0)
    expect(slept(2)).toBe(night.data.deepsleepduration)
    expect(slept(3)).toBe(night.data.remsleepduration)
    expect(states.every((s) => s.hr !== undefined)).toBe(true)
    expect((await call('v2/sleep', { action: 'get' })).error).toBe(
      'Invalid Params: invalid startdate',
    )
  })
})

describe('Heart v2 - List and Get', () => {
  it('lists ECG recordings, newest first, filtered by date', async () => {
    const { call } = await demo()
    const { body } = await call('v2/heart', { action: 'list' })
    const series = body.series as {
      ecg: { signalid: number; afib: number }
      timestamp: number
      model: number
    }[]
    expect(series.length).toBeGreaterThanOrEqual(2)
    expect(series.map((s) => s.timestamp)).toEqual(
      series.map((s) => s.timestamp).sort((a, b) => b - a),
    )
    expect(series[0]).toMatchObject({ model: 44, ecg: { signalid: expect.any(Number), afib: 0 } })
    expect(body).toMatchObject({ more: false, offset: 0 })

    const recent = await call('v2/heart', {
      action: 'list',
      startdate: String(START / 1000 - 30 * 86_400),
      enddate: String(START / 1000),
    })
    // Two from the BPM Core, one from the watch.
    expect((recent.body.series as unknown[]).length).toBe(3)
  })

  it('pages with offset when there are more recordings than a page', async () => {
    const { call } = await demo({ pageSize: 3 })
    const first = await call('v2/heart', { action: 'list' })
    expect(first.body).toMatchObject({ more: true, offset: 3 })
    const second = await call('v2/heart', { action: 'list', offset: '3' })
    expect(second.body).toMatchObject({ more: false, offset: 0 })
    expect((second.body.series as unknown[]).length).toBe(3)
  })

  it('returns a short signal for a recording, and 503 for someone else’s', async () => {
    const { call, emulator } = await demo()
    const list = await call('v2/heart', { action: 'list' })
    const [recording] = list.body.series as { ecg: { signalid: number }; heart_rate: number }[]
    const { status, body } = await call('v2/heart', {
      action: 'get',
      signalid: String(recording?.ecg.signalid),
    })
    expect(status).toBe(0)
    expect(body).toMatchObject({
      sampling_frequency: 500,
      model: 44,
      heart_rate: recording?.heart_rate,
    })
    const signal = body.signal as number[]
    expect(signal.length).toBe(1000)
    expect(signal.every(Number.isInteger)).toBe(true)
    expect(Math.max(...signal)).toBeGreaterThan(700)

    const other = emulator.data.of(4815162).ecgs[0]?.ecg.signalid
    expect(await call('v2/heart', { action: 'get', signalid: String(other) })).toEqual({
      status: 503,
      body: {},
      error: 'Invalid Params: invalid signalid',
    })
  })
})

describe('User v2 - Getdevice and Getgoals', () => {
  it('lists the user’s devices and goals', async () => {
    const { call, data } = await demo()
    const devices = (await call('v2/user', { action: 'getdevice' })).body.devices as Record<
      string,
      unknown
    >[]
    expect(devices.map((d) => d.type)).toEqual([
      'Scale',
      'Blood Pressure Monitor',
      'Activity Tracker',
      'Sleep Monitor',
    ])
    expect(devices.map((d) => d.deviceid)).toContain(data.measuregrps.at(-1)?.deviceid)
    const { goals } = (await call('v2/user', { action: 'getgoals' })).body as {
      goals: { steps: number; sleep: number; weight: { value: number; unit: number } }
    }
    expect(goals).toMatchObject({ steps: 10000, sleep: 28800, weight: { unit: -3 } })
    expect(goals.weight.value).toBeGreaterThan(30000)
  })
})
