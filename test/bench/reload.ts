import type { Builds } from './builds'
import { compared, type Figure } from './figures'
import { createHttpClient, type HttpClient, setCookieValue } from './http-client'
import { CLIENT, startEmulator, startRelay } from './servers'
import { relayPost, relaySession, SESSION_COOKIE } from './sessions'

// Item 7: what a page load costs Withings. Each load of the app asks the relay for the session
// (`POST /api/auth/session`); with the access token alive the relay answers from the sealed
// cookie. The reference is the same load when the token is due (tokens of one second): one
// refresh-token grant, which is what every load cost before the access token was kept sealed.

export interface ReloadOptions {
  loads: number
}

async function callsPerLoad(builds: Builds, accessTokenSeconds: number, loads: number) {
  const emulator = await startEmulator(builds, { accessTokenSeconds })
  const relay = await startRelay(builds, emulator.url)
  const relayHttp = createHttpClient(relay.url)
  const emulatorHttp = createHttpClient(emulator.url)
  try {
    const session = await relaySession(relayHttp, emulator.url)
    let cookie = session
    // The exchange subscribes to notifications in the background: let that finish first (asking
    // for the subscriptions' state waits for it), so only the loads are counted.
    await relayHttp.send('/api/notify', { headers: { cookie, origin: CLIENT.origin } })
    const before = await withingsCalls(emulatorHttp)
    for (let load = 0; load < loads; load++) {
      const answer = await relayHttp.send('/api/auth/session', relayPost({}, cookie))
      if (answer.status !== 200) throw new Error(`a load got HTTP ${answer.status}: ${answer.body}`)
      const rotated = setCookieValue(answer, SESSION_COOKIE)
      if (rotated) cookie = `${SESSION_COOKIE}=${rotated}`
    }
    return ((await withingsCalls(emulatorHttp)) - before) / loads
  } finally {
    relayHttp.close()
    emulatorHttp.close()
    await relay.stop()
    await emulator.stop()
  }
}

/** Every request that reached the emulator, by its control API. */
async function withingsCalls(emulator: HttpClient): Promise<number> {
  const answer = await emulator.send('/_emulator/requests')
  const counts = JSON.parse(answer.body) as { total?: unknown }
  if (typeof counts.total !== 'number') throw new Error('the emulator gave no request count')
  return counts.total
}

export async function reloadCost(builds: Builds, { loads }: ReloadOptions): Promise<Figure> {
  const live = await callsPerLoad(builds, 10_800, loads)
  const due = await callsPerLoad(builds, 1, loads)
  return compared(
    {
      id: '7',
      name: 'Withings calls per page load with a live token',
      unit: 'calls',
      value: live,
      reference: {
        name: 'a load with the access token due: every load before',
        value: due,
      },
      target: '0',
      met: live === 0,
      method: `${loads} loads of one session (POST /api/auth/session), Withings' requests counted by the emulator; tokens of 3 h, then of 1 s for the reference`,
    },
    { ratio: false },
  )
}
