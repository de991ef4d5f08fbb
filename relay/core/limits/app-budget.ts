import { errorKind } from '../error-kind'
import { RelayError } from '../errors'
import type { Logger } from '../http/request-log'
import type { SharedStore } from '../store/shared-store'

// Withings allows an app 120 requests a minute, all its users and services together (developer
// guide, "Rate limits"); past that it answers status 601 to everyone. The relay keeps its own
// count under a budget below that, shared by every instance through the store, and gives each
// kind of call a share, so that no flood of one kind starves the others:
// - code exchanges: at most two fifths of the budget, and a few per client address in ten
//   minutes (SIGN_INS_PER_ADDRESS), so made-up codes from a handful of addresses cannot spend the
//   app's budget or crowd out a real sign-in;
// - data calls: at most two fifths;
// - refreshes, revokes and notification calls: what is left, never less than a fifth.

type WithingsCall = 'exchange' | 'refresh' | 'data' | 'signed' | 'notify'

export interface AppBudget {
  /**
   * Counts `calls` calls to Withings (a signed call makes two: Getnonce first), or throws
   * rate_limited, and then none may be made.
   */
  take(kind: Exclude<WithingsCall, 'exchange'>, calls?: number): Promise<void>
  /** The same for a code exchange, which `client` (an address, an IPv6 site) asks for. */
  takeExchange(client: string, calls?: number): Promise<void>
}

const BUDGET_WINDOW_MS = 60_000
const CLIENT_WINDOW_MS = 10 * 60_000

export function createAppBudget(options: {
  store: SharedStore
  perMinute: number
  /** Code exchanges one client may ask for in CLIENT_WINDOW_MS. */
  exchangesPerClient: number
  log: Logger
}): AppBudget {
  const { store, perMinute, exchangesPerClient, log } = options
  const shares: Partial<Record<WithingsCall, number>> = {
    exchange: Math.max(1, Math.floor((perMinute * 2) / 5)),
    data: Math.max(1, Math.floor((perMinute * 2) / 5)),
  }

  const take = async (key: string, limit: number, windowMs: number, why: string) => {
    let taken: Awaited<ReturnType<SharedStore['take']>>
    try {
      taken = await store.take(key, limit, windowMs)
    } catch (cause) {
      // Withings still counts, and says 601 past its limit: the store being away must not stop
      // every call to it.
      log({ level: 'warn', msg: 'app budget not counted', cause: errorKind(cause) })
      return
    }
    if (!taken.taken) {
      throw new RelayError('rate_limited', why, {
        retryAfter: Math.max(1, Math.ceil(taken.retryAfterMs / 1000)),
      })
    }
  }

  const busy = 'The app is making too many calls to Withings just now: wait a moment.'
  const count = async (kind: WithingsCall, calls: number) => {
    const share = shares[kind]
    for (let call = 0; call < calls; call++) {
      if (share !== undefined) await take(`budget:${kind}`, share, BUDGET_WINDOW_MS, busy)
      await take('budget:all', perMinute, BUDGET_WINDOW_MS, busy)
    }
  }

  return {
    take: (kind, calls = 1) => count(kind, calls),
    async takeExchange(client, calls = 1) {
      await take(
        `exchanges:${client}`,
        exchangesPerClient,
        CLIENT_WINDOW_MS,
        'Too many sign-ins from this address: wait before connecting again.',
      )
      await count('exchange', calls)
    },
  }
}
