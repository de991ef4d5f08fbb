import { describe, expect, it } from 'vitest'
import { addDays, ymdAt, zonedSeconds } from '../../relay/emulator/data/calendar'
import { dataCall, START, setup, signedIn } from './support'

// The seeded data holds the shapes real Withings answers have and the reference does not show
// (test/fixtures/withings records them, with their sources), deterministically, so every suite
// that reads the emulator meets them.

const ALL_SCOPES = 'user.info,user.metrics,user.activity'

interface Group {
  grpid: number
  attrib: number
  date: number
  deviceid: string | null
  model: string | null
  modelid: number | null
  comment: null
  measures: { type: number; value: number; unit: number; position?: number }[]
}

async function signedInAs(account: { email?: string; password?: string } = {}) {
  const context = setup()
  const demo = account.email === undefined
  const tokens = await signedIn(
    context.emulator,
    { scope: ALL_SCOPES, ...(demo && { mode: 'demo' }) },
    account,
  )
  const call = (service: string, params: Record<string, string>) =>
    dataCall(context.emulator, service, params, tokens.access)
  return { ...context, call }
}

const newestFirst = (groups: readonly Group[]) => [...groups].sort((a, b) => b.date - a.date)

describe('Getmeas: a shared scale, entries by hand, repeated types', () => {
  it('a guest weighs on the demo user’s scale (attrib 1) after the user’s own last weighing', async () => {
    const { call, emulator } = await signedInAs()
    const groups = (await call('measure', { action: 'getmeas', meastype: '1' })).body
      .measuregrps as Group[]
    const [newest] = newestFirst(groups)
    const ownNewest = newestFirst(groups).find((group) => [0, 2].includes(group.attrib))
    const scale = emulator.data.of(363).devices.scale
    expect(newest).toMatchObject({ attrib: 1, deviceid: scale.deviceid })
    expect(ownNewest?.date ?? Infinity).toBeLessThan(newest?.date ?? 0)
    expect(groups.filter((group) => group.attrib === 1).length).toBeGreaterThan(5)

    // latestMeasure is the user's own: the guest is newer and is not the answer.
    const latest = emulator.data.latestMeasure(363, 1)
    expect(latest?.grpid).toBe(ownNewest?.grpid)
    expect(latest?.value).not.toBe(newest?.measures[0]?.value)
  })

  it('weights typed in by hand: attrib 2, no device, model or modelid', async () => {
    const { call } = await signedInAs()
    const groups = (await call('measure', { action: 'getmeas', meastype: '1' })).body
      .measuregrps as Group[]
    const typed = groups.filter((group) => group.attrib === 2)
    expect(typed.length).toBeGreaterThan(3)
    for (const group of typed) {
      expect(group).toMatchObject({ deviceid: null, model: null, modelid: null, comment: null })
      expect(group.measures.map((m) => m.type)).toEqual([1])
    }
    // Height, entered when the account was made: attrib 4.
    const heights = (await call('measure', { action: 'getmeas', meastype: '4' })).body
      .measuregrps as Group[]
    expect(heights.map((group) => group.attrib)).toEqual([4])
  })

  it('a Body Scan weighing repeats types with a position', async () => {
    const { call } = await signedInAs()
    const groups = (await call('measure', { action: 'getmeas' })).body.measuregrps as Group[]
    const weighing = groups.find((group) => group.attrib === 0 && group.model === 'Body Scan')
    const at = (type: number) =>
      weighing?.measures.filter((m) => m.type === type).map((m) => m.position)
    expect(at(1)).toEqual([undefined])
    expect(at(5)).toEqual([7, 7])
    expect(at(8)).toEqual([7, 7])
    expect(at(175)).toEqual([12, 10, 11, 2, 3])
  })
})

describe('Sleep v2 - Getsummary: one summary per sleep period', () => {
  it('naps are filed under their day beside its night; some fields say -1', async () => {
    const { call } = await signedInAs()
    const { body } = await call('v2/sleep', {
      action: 'getsummary',
      startdateymd: '2025-05-16',
      enddateymd: '2025-06-15',
    })
    const periods = body.series as {
      date: string
      startdate: number
      enddate: number
      data: Record<string, number>
    }[]
    const perDay = new Map<string, number>()
    for (const { date } of periods) perDay.set(date, (perDay.get(date) ?? 0) + 1)
    const napDays = [...perDay].filter(([, count]) => count > 1).map(([day]) => day)
    expect(napDays.length).toBeGreaterThanOrEqual(3)

    // Two days ago, a nap that starts after midday (Europe/Paris), and the night it is not.
    const twoDaysAgo = addDays(ymdAt(START, 'Europe/Paris'), -2)
    const sameDay = periods.filter((period) => period.date === twoDaysAgo)
    const midday = zonedSeconds(twoDaysAgo, 12 * 60, 'Europe/Paris')
    expect(sameDay.filter((period) => period.startdate >= midday)).toHaveLength(1)
    expect(sameDay.filter((period) => period.enddate <= midday)).toHaveLength(1)

    const notAvailable = (field: string) => periods.filter((p) => p.data[field] === -1).length
    expect(notAvailable('sleep_score')).toBeGreaterThan(0)
    expect(notAvailable('breathing_disturbances_intensity')).toBeGreaterThan(0)
    // A night in bed whose sleep time itself is not available.
    expect(notAvailable('total_sleep_time')).toBe(1)
  })
})

describe('Getactivity, Getgoals, Getdevice', () => {
  it('a day counted by the phone: deviceid null, is_tracker false, no heart rate', async () => {
    const { call } = await signedInAs()
    const { body } = await call('v2/measure', {
      action: 'getactivity',
      startdateymd: '2025-05-16',
      enddateymd: '2025-06-15',
    })
    const days = body.activities as Record<string, unknown>[]
    const phone = days.filter((day) => day.deviceid === null)
    expect(phone.map((day) => day.date)).toEqual(['2025-05-20', '2025-06-03', '2025-06-12'])
    for (const day of phone) {
      expect(day).toMatchObject({ is_tracker: false, hash_deviceid: null, brand: 18 })
      expect(day.steps).toEqual(expect.any(Number))
      expect(day).not.toHaveProperty('hr_average')
    }
    expect(days.filter((day) => day.is_tracker === true)).toHaveLength(days.length - 3)
  })

  it('goals: [] for a user who never set one', async () => {
    const { call, emulator } = await signedInAs({
      email: 'grace@example.com',
      password: 'grace-emulator',
    })
    expect((await call('v2/user', { action: 'getgoals' })).body).toEqual({ goals: [] })
    expect(emulator.data.of(4815162).goals).toMatchObject({ steps: 10_000 })
  })

  it('a device whose first session is unknown: first_session_date null', async () => {
    const { call } = await signedInAs()
    const devices = (await call('v2/user', { action: 'getdevice' })).body.devices as Record<
      string,
      unknown
    >[]
    const scale = devices.find((device) => device.type === 'Scale')
    expect(scale).toMatchObject({ first_session_date: null, model: 'Body Scan', model_id: 10 })
    expect(scale?.last_session_date).toEqual(expect.any(Number))
  })
})

describe('shapes real answers hold that the reference does not show (issue 19)', () => {
  it('workouts counted by the phone: deviceid null, null fields, a data of one null, an id twice', async () => {
    const { call } = await signedInAs()
    const { status, body } = await call('v2/measure', { action: 'getworkouts', lastupdate: '0' })
    expect(status).toBe(0)
    const series = body.series as {
      id: number
      deviceid: string | null
      model: number
      data: Record<string, unknown>
    }[]
    const phone = series.filter((workout) => workout.deviceid === null)
    expect(phone.length).toBeGreaterThanOrEqual(3)
    expect(new Set(phone.map((workout) => workout.model))).toEqual(new Set([1055]))
    expect(
      phone.filter((workout) => Object.keys(workout.data).join() === 'algo_pause_duration'),
    ).toEqual([expect.objectContaining({ data: { algo_pause_duration: null } })])
    for (const workout of series.filter((w) => Object.keys(w.data).length > 1)) {
      expect(workout.data).toMatchObject({ algo_pause_duration: null, spo2_average: null })
    }
    const ids = series.map((workout) => workout.id)
    const twice = ids.filter((id, index) => ids.indexOf(id) !== index)
    expect(twice).toHaveLength(1)
    const [first, second] = series.filter((workout) => workout.id === twice[0])
    expect(second).toEqual(first)
  })

  it('a Sleep Analyzer listed with model "" and battery "unknown"; bed events name it', async () => {
    const { call, emulator } = await signedInAs()
    const devices = (await call('v2/user', { action: 'getdevice' })).body.devices as Record<
      string,
      unknown
    >[]
    expect(devices.find((device) => device.type === 'Sleep Monitor')).toMatchObject({
      model: '',
      model_id: 63,
      battery: 'unknown',
    })
    const analyzer = devices.find((device) => device.type === 'Sleep Monitor')
    const bedIn = await emulator.notifications.trigger({ type: 'bed_in', userid: 363 })
    expect(bedIn.payload.deviceid).toBe(analyzer?.deviceid)
  })

  it('ECGs of the watch have no bloodpressure; none has modified or timezone', async () => {
    const { call } = await signedInAs()
    const series = (await call('v2/heart', { action: 'list' })).body.series as Record<
      string,
      unknown
    >[]
    const withoutPressure = series.filter((record) => !('bloodpressure' in record))
    expect(withoutPressure.length).toBeGreaterThanOrEqual(1)
    expect(withoutPressure.every((record) => record.model === 93)).toBe(true)
    expect(series.filter((record) => record.model === 44).every((r) => 'bloodpressure' in r)).toBe(
      true,
    )
    for (const record of series) {
      expect(record).not.toHaveProperty('modified')
      expect(record).not.toHaveProperty('timezone')
    }
  })

  it('a getmeas answer that fits one page has neither more nor offset', async () => {
    const { call } = await signedInAs()
    const { body } = await call('measure', { action: 'getmeas', meastype: '4' })
    expect(Object.keys(body).sort()).toEqual(['measuregrps', 'timezone', 'updatetime'])
  })

  it('Body Scan weighings carry types 226 and 227; undocumented attribs 10009 and 10010 beside the newest', async () => {
    const { call, emulator } = await signedInAs()
    const groups = (await call('measure', { action: 'getmeas' })).body.measuregrps as Group[]
    const weighing = groups.find((group) => group.attrib === 0 && group.model === 'Body Scan')
    expect(weighing?.measures.filter((m) => m.type === 226)).toEqual([
      expect.objectContaining({ unit: 0, position: 7 }),
    ])
    expect(weighing?.measures.filter((m) => m.type === 227)).toEqual([
      expect.not.objectContaining({ position: expect.anything() }),
    ])
    const undocumented = groups.filter((group) => group.attrib >= 10_000)
    expect(undocumented.map((group) => group.attrib).sort()).toEqual([
      10009, 10009, 10009, 10010, 10010, 10010,
    ])
    // Their weight is not the person's: the latest weight is the person's own weighing.
    const newest = newestFirst(groups).find(
      (group) => group.attrib === 0 && group.model === 'Body Scan',
    )
    const weightOf = (group?: Group) => group?.measures.find((m) => m.type === 1)?.value
    expect(emulator.data.latestMeasure(363, 1)?.value).toBe(weightOf(newest))
    const sameMoment = undocumented.filter((group) => group.date === newest?.date)
    expect(sameMoment.map((group) => group.attrib).sort()).toEqual([10009, 10010])
    expect(weightOf(sameMoment.find((g) => g.attrib === 10009))).not.toBe(weightOf(newest))
  })
})
