import { errorKind } from '../error-kind'
import { RelayError } from '../errors'
import type { Logger } from '../http/request-log'
import { createMemoryStore } from '../store/memory-store'
import {
  type Counter,
  type SharedStore,
  StoreUnavailable,
  type TakeResult,
} from '../store/shared-store'

// Withings allows an app 120 requests a minute, all its users and services together (developer
// guide, "Rate limits"); past that it answers status 601 to everyone. The relay keeps its own
// count under a budget below that, shared by every instance through the store, and gives each
// kind of call a share, so that no flood of one kind starves the others:
// - code exchanges: at most two fifths of the budget;
// - data calls: at most two fifths;
// - notification calls: at most a fifth (one person's subscriptions are a list and up to seven
//   subscribes, and as many again to unsubscribe);
// - revokes (signed: two calls each): at most a tenth;
//   so that a flood of either never takes more than three tenths of the budget;
// - the sync's imports and catch-ups (withings-link/sync): at most four fifths, so that they use
//   the budget when nothing else does and a sign-in, a refresh or a page still finds the rest;
// - refreshes: what is left (they keep people connected, and only real sessions make them).
// The calls no person waits for, the sync's and the notification calls, are made only while the
// whole budget is under four fifths, whatever else made it so: two hundred people connecting at
// once start two hundred imports and a thousand subscribes, and the next person's sign-in, a
// refresh or a page must still find the last fifth. They are also paced, a tenth of their minute
// every six seconds (or a person's whole import of a year, some 25 calls, when that is more),
// rather than spent in the first seconds of each minute: the work they bring (an import's pages
// to store) is spread evenly, and so is what it takes from everything else.
// A call and its share are counted in one atomic step: a call the whole budget refuses spends no
// share. While the shared store cannot be reached, each instance counts in its own memory rather
// than not at all (so N instances may then make up to N budgets: Withings' 601 is the last line).
//
// Code exchanges Withings refuses (made-up or replayed codes) are also counted against the address
// that asked — SIGN_INS_PER_ADDRESS in ten minutes — so a handful of addresses cannot spend the
// exchanges' share; an exchange Withings did not refuse is given back, so a real sign-in never
// counts (an office behind one address signs in all day). Each exchange is counted before it is
// made and given back after, so parallel requests cannot slip past the count. Where the runtime
// gives no address, refused exchanges are counted app-wide instead, capped at a fifth of the budget
// a minute: enough that ordinary mistyped or expired codes never lock anyone out, and a flood can
// hold sign-ins up only while it lasts.

type Share = 'exchange' | 'data' | 'revoke' | 'notify' | 'sync'
export type WithingsCall = 'refresh' | Exclude<Share, 'exchange'>

export interface AppBudget {
  /**
   * Counts `calls` calls to Withings (a signed call makes two: Getnonce first), or throws
   * relay_busy, and then none may be made.
   */
  take(kind: WithingsCall, calls?: number): Promise<void>
  /**
   * The same for a code exchange, which `client` (an address, an IPv6 site; undefined when the
   * runtime gives none) asks for; it counts as refused until `notRefused` says otherwise. Throws
   * sign_ins_limited when the client (or everyone, without an address) has too many refused.
   */
  takeExchange(client: string | undefined, calls?: number): Promise<ExchangeCount>
}

export interface ExchangeCount {
  /** Withings did not refuse the code (it accepted it, or failed otherwise): not held against the client. */
  notRefused(): Promise<void>
}

/** Each kind's share of the budget, as a fraction of it (docs/security.md). */
export const SHARES: Record<Share, number> = {
  exchange: 2 / 5,
  data: 2 / 5,
  revoke: 1 / 10,
  notify: 1 / 5,
  sync: 4 / 5,
}
/** The calls no person waits for: made only while the whole budget is under this share. */
const BACKGROUND: ReadonlySet<Share> = new Set(['sync', 'notify'])
const BACKGROUND_SHARE = 4 / 5
/** Without an address, refused exchanges app-wide a minute, as a fraction of the budget. */
const UNADDRESSED_REFUSALS = 1 / 5
const BUDGET_WINDOW_MS = 60_000
/** The pace of the calls no person waits for: a tenth of their minute at a time… */
const PACE_WINDOW_MS = 6_000
/** …or at least one person's import of a year at once (23 calls for the demo person). */
const PACE_BURST = 30
const CLIENT_WINDOW_MS = 10 * 60_000
/** A share is never below one signed call (two), whatever the budget. */
const MIN_SHARE = 2

const BUSY = 'The app is making as many calls to Withings as it may just now: wait a moment.'

export function createAppBudget(options: {
  store: SharedStore
  perMinute: number
  /** Refused code exchanges one client may ask for in CLIENT_WINDOW_MS. */
  exchangesPerClient: number
  now: () => number
  log: Logger
}): AppBudget {
  const { store, perMinute, exchangesPerClient, now, log } = options
  const local = createMemoryStore({ now })
  const fractionOf = (fraction: number) => Math.max(MIN_SHARE, Math.floor(perMinute * fraction))

  const budget = (kind: WithingsCall | 'exchange', amount: number): Counter[] => {
    // One count of every call (`budget:all`), which a call no person waits for may not take past
    // four fifths.
    const total = {
      key: 'budget:all',
      limit:
        kind !== 'refresh' && BACKGROUND.has(kind)
          ? Math.min(perMinute, fractionOf(BACKGROUND_SHARE))
          : perMinute,
      windowMs: BUDGET_WINDOW_MS,
      amount,
    }
    if (kind === 'refresh') return [total]
    const share = { key: `budget:${kind}`, limit: fractionOf(SHARES[kind]), amount }
    const paced = BACKGROUND.has(kind)
      ? [
          {
            key: 'budget:background-pace',
            limit: Math.max(PACE_BURST, Math.ceil(fractionOf(BACKGROUND_SHARE) / 10)),
            windowMs: PACE_WINDOW_MS,
            amount,
          },
        ]
      : []
    return [{ ...share, windowMs: BUDGET_WINDOW_MS }, ...paced, total]
  }

  /** Counts in the shared store, or in this instance's memory while it is away. */
  async function count(counters: Counter[]): Promise<{ result: TakeResult; where: SharedStore }> {
    try {
      return { result: await store.take(counters), where: store }
    } catch (cause) {
      if (!(cause instanceof StoreUnavailable)) throw cause
      log({
        level: 'warn',
        msg: "app budget counted in this instance's memory",
        cause: errorKind(cause),
      })
      return { result: await local.take(counters), where: local }
    }
  }

  const waitOf = (retryAfterMs: number) => Math.max(1, Math.ceil(retryAfterMs / 1000))

  return {
    async take(kind, calls = 1) {
      const { result } = await count(budget(kind, calls))
      if (!result.taken) {
        throw new RelayError('relay_busy', BUSY, { retryAfter: waitOf(result.retryAfterMs) })
      }
    },

    async takeExchange(client, calls = 1) {
      const refusals: Counter =
        client === undefined
          ? {
              key: 'refused-exchanges:*',
              limit: fractionOf(UNADDRESSED_REFUSALS),
              windowMs: BUDGET_WINDOW_MS,
            }
          : {
              key: `refused-exchanges:${client}`,
              limit: exchangesPerClient,
              windowMs: CLIENT_WINDOW_MS,
            }
      const { result, where } = await count([refusals, ...budget('exchange', calls)])
      if (!result.taken) {
        const retryAfter = waitOf(result.retryAfterMs)
        if (!result.refusedBy.includes(refusals.key)) {
          throw new RelayError('relay_busy', BUSY, { retryAfter })
        }
        throw new RelayError(
          'sign_ins_limited',
          client === undefined
            ? 'Too many sign-ins were refused by Withings just now: wait a minute before connecting again.'
            : 'Too many sign-ins from this network were refused by Withings: wait before connecting again.',
          { retryAfter },
        )
      }
      return {
        async notRefused() {
          await where.refund({ ...refusals, at: result.at }).catch((cause: unknown) => {
            // It then counts against the client until its window passes: a nuisance, no harm.
            log({ level: 'warn', msg: 'sign-in not given back', cause: errorKind(cause) })
          })
        },
      }
    },
  }
}
