import {
  asRelayError,
  type ProblemCode,
  SCOPE_TABLE,
  type Scope,
  type WithingsData,
} from 'withings-link/react'
import { localDay, ymd } from './series'

// The live version of Withings' scope table: for each scope the connection was granted, one of
// its webservices is called and the answer says whether Withings lets it through. A scope the
// person did not grant needs no call (Withings would refuse it, and count the call).

export type Capability = { scope: Scope; webservice: string } & (
  | { result: 'allowed' }
  /** Not granted to this connection, or granted and still refused by Withings. */
  | { result: 'denied'; why: 'not_granted' | 'refused' }
  | { result: 'failed'; problem: ProblemCode }
  | { result: 'not_checked'; reason: string }
)

type Probe =
  | { webservice: string; check: (data: WithingsData, now: number) => Promise<unknown> }
  | { webservice: string; reason: string }

/** Small windows (today only): the answer matters, not the data. */
const PROBES: Record<Scope, Probe> = {
  'user.info': {
    webservice: 'User v2 - Getdevice',
    check: (data) => data.call('v2/user', 'getdevice'),
  },
  'user.metrics': {
    webservice: 'Heart v2 - List',
    check: (data, now) => data.call('v2/heart', 'list', { startdate: localDay(ymd(now)) / 1000 }),
  },
  'user.activity': {
    webservice: 'Sleep v2 - Getsummary',
    check: (data, now) =>
      data.call('v2/sleep', 'getsummary', { startdateymd: ymd(now), enddateymd: ymd(now) }),
  },
  'user.sleepevents': {
    webservice: 'Notify - Subscribe',
    reason:
      'Its only webservice subscribes a public callback URL to bed-in and bed-out events; there is no data to read, so a call cannot show whether it is allowed.',
  },
}

export function checkCapabilities(
  data: WithingsData,
  granted: readonly Scope[],
  now = Date.now(),
): Promise<Capability[]> {
  return Promise.all(
    SCOPE_TABLE.map(async ({ scope }): Promise<Capability> => {
      const probe = PROBES[scope]
      const { webservice } = probe
      if ('reason' in probe) {
        return { scope, webservice, result: 'not_checked', reason: probe.reason }
      }
      if (!granted.includes(scope))
        return { scope, webservice, result: 'denied', why: 'not_granted' }
      try {
        await probe.check(data, now)
        return { scope, webservice, result: 'allowed' }
      } catch (error) {
        const { code } = asRelayError(error)
        if (code === 'scope_denied') return { scope, webservice, result: 'denied', why: 'refused' }
        return { scope, webservice, result: 'failed', problem: code }
      }
    }),
  )
}
