import { describe, expect, it } from 'vitest'
import { createEmulator } from '../../relay/emulator/emulator'
import {
  authorizeUrl,
  CLIENT,
  createClock,
  dataCall,
  REDIRECT_URI,
  refresh,
  signedIn,
  tokenRequest,
} from './support'

// Withings' 120 requests a minute are the app's: one budget per client id, spent by every user
// and every service alike (token endpoint and data services), answered past it with status 601
// and the seconds until the window frees a slot.

const OTHER_APP = {
  clientId: 'other-app',
  clientSecret: 'other-secret',
  callbacks: [REDIRECT_URI],
  name: 'Another app',
}

function emulatorWithBudget(requestsPerMinute: number) {
  const clock = createClock()
  const emulator = createEmulator({
    clients: [CLIENT, OTHER_APP],
    now: clock.now,
    requestsPerMinute,
  })
  return { emulator, clock }
}

const getmeas = { action: 'getmeas', meastype: '1' }
const TOO_MANY = { status: 601, error: 'Too many requests' }

describe('one budget per app, for every user and service', () => {
  it('data calls and token calls of all the app’s users share one window', async () => {
    const { emulator, clock } = emulatorWithBudget(6)
    const demo = await signedIn(emulator, { mode: 'demo' }) // 1: token
    clock.advance(1_000)
    const ada = await signedIn(emulator) // 2: token
    for (const access of [demo.access, ada.access, demo.access]) {
      clock.advance(1_000)
      expect((await dataCall(emulator, 'measure', getmeas, access)).status).toBe(0)
    } // 3, 4, 5
    clock.advance(1_000)
    expect((await refresh(emulator, ada.refresh)).status).toBe(0) // 6

    // 6 s after the first call: its slot frees 54 s later.
    clock.advance(1_000)
    expect(await dataCall(emulator, 'measure', getmeas, ada.access)).toEqual({
      ...TOO_MANY,
      body: { wait_seconds: 54 },
    })
    expect(await refresh(emulator, demo.refresh)).toEqual({
      ...TOO_MANY,
      body: { wait_seconds: 54 },
    })
    clock.advance(53_500)
    expect((await dataCall(emulator, 'v2/user', { action: 'getgoals' }, ada.access)).body).toEqual({
      wait_seconds: 1,
    })
    clock.advance(500)
    expect((await dataCall(emulator, 'measure', getmeas, demo.access)).status).toBe(0)
  })

  it('another app keeps its own budget', async () => {
    const { emulator, clock } = emulatorWithBudget(2)
    const demo = await signedIn(emulator, { mode: 'demo' })
    expect((await dataCall(emulator, 'measure', getmeas, demo.access)).status).toBe(0)
    expect((await dataCall(emulator, 'measure', getmeas, demo.access)).status).toBe(601)

    clock.advance(1_000)
    const other = await tokenRequest(emulator, {
      action: 'requesttoken',
      grant_type: 'refresh_token',
      client_id: OTHER_APP.clientId,
      client_secret: OTHER_APP.clientSecret,
      refresh_token: 'not-one',
    })
    expect(other.error).toBe('Invalid Params: invalid refresh_token')
  })

  it('a call whose token names no app counts against none', async () => {
    const { emulator } = emulatorWithBudget(2)
    for (let i = 0; i < 5; i++) {
      expect((await dataCall(emulator, 'measure', getmeas, 'f'.repeat(40))).status).toBe(401)
    }
    const demo = await signedIn(emulator, { mode: 'demo' })
    expect((await dataCall(emulator, 'measure', getmeas, demo.access)).status).toBe(0)
  })

  it('consent pages are not API calls: signing in does not spend the budget', async () => {
    const { emulator } = emulatorWithBudget(1)
    const response = await emulator.fetch(new Request(authorizeUrl({ mode: 'demo' })))
    expect(response.status).toBe(200)
    expect((await signedIn(emulator, { mode: 'demo' })).access).toMatch(/^[0-9a-f]+$/)
  })
})
