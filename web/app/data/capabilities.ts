import {
  asRelayError,
  type NotifyFailure,
  type NotifyStatus,
  type ProblemCode,
  SCOPE_TABLE,
  type Scope,
  type WithingsData,
} from 'withings-link/react'
import { localDay, ymd } from './series'

// The live version of Withings' scope table: for each scope the connection was granted, one of
// its webservices is called and the answer says whether Withings lets it through. A scope the
// person did not grant needs no call (Withings would refuse it, and count the call).
// user.sleepevents has no data to read: its webservice subscribes the app to bed events, which
// the relay did after the sign-in, so the relay's account of that subscription is the answer.

export type Capability = { scope: Scope; webservice: string } & (
  | { result: 'allowed' }
  /** Not granted to this connection, or granted and still refused by Withings. */
  | { result: 'denied'; why: 'not_granted' | 'refused' }
  | { result: 'failed'; problem: ProblemCode }
  /** The relay is subscribing just now. */
  | { result: 'pending' }
  | { result: 'not_subscribed'; reason: NotifyFailure }
)

type Probe =
  | { webservice: string; check: (data: WithingsData, now: number) => Promise<unknown> }
  | { webservice: string; subscription: true }

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
  'user.sleepevents': { webservice: 'Notify - Subscribe', subscription: true },
}

export function checkCapabilities(
  data: WithingsData,
  granted: readonly Scope[],
  notifications: () => Promise<NotifyStatus>,
  now = Date.now(),
): Promise<Capability[]> {
  return Promise.all(
    SCOPE_TABLE.map(async ({ scope }): Promise<Capability> => {
      const probe = PROBES[scope]
      const { webservice } = probe
      if (!granted.includes(scope))
        return { scope, webservice, result: 'denied', why: 'not_granted' }
      try {
        if ('subscription' in probe) {
          return subscribed(await notifications(), { scope, webservice })
        }
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

/** Allowed once every category of the scope is subscribed; the first refusal otherwise. */
function subscribed(
  { categories }: NotifyStatus,
  row: { scope: Scope; webservice: string },
): Capability {
  const mine = categories.filter((category) => category.scope === row.scope)
  const failed = mine.find((category) => category.state === 'failed')
  if (failed?.state === 'failed') return { ...row, result: 'not_subscribed', reason: failed.reason }
  if (mine.length > 0 && mine.every((category) => category.state === 'subscribed')) {
    return { ...row, result: 'allowed' }
  }
  return { ...row, result: 'pending' }
}
