import { errorKind } from '../error-kind'
import { RelayError } from '../errors'
import type { Logger } from '../http/request-log'
import type { Sealer } from '../seal'
import type { SharedStore } from '../store/shared-store'
import { generationKey, storedNumber } from './person-generation'

// When Disconnect could not reach Withings, the cookies are gone but the grant lives on. The page
// that asked gets a ticket to try again: sealed, an hour long, naming the person, the ended
// session and the person's sign-in number at the time. It is one revoke, once: claimed in the
// shared store when used (on whichever instance), refused once Withings has been told or the
// person has signed in again since (the number moved on: a revoke now would end the newer
// connection), and never renewed by a replay. Only a use that meets Withings failing again earns
// the next ticket of the chain, so one holder can cost Withings one revoke per Withings failure.

const PURPOSE = 'withings-link revoke ticket'
const TICKET_SECONDS = 3600
/** Longer is no ticket the relay sealed: refused before any work (ours are ~200 characters). */
const MAX_TICKET_CHARS = 512

export interface Ticket {
  userid: string
  /** The ended session's id. */
  session: string
  /** The person's sign-in number when the session ended. */
  generation: number
  /** Which ticket of the chain this is (the first a Disconnect gives is 1). */
  attempt: number
}

export interface RevokeTickets {
  /** The next ticket after `ticket` (a Disconnect passes attempt 0). */
  next(ticket: Ticket): Promise<string>
  /**
   * Spends a ticket: what it names, or bad_request for anything forged, expired, malformed,
   * spent or outdated; relay_unavailable when the store cannot say.
   */
  redeem(sealed: unknown): Promise<Ticket & { unspend(): Promise<void> }>
  /** Withings was told: every ticket of this person's connections so far is void. */
  told(userid: string): Promise<void>
}

export function createRevokeTickets(options: {
  sealer: Sealer
  store: SharedStore
  /** How long a sign-in number is kept: a session's lifetime. */
  lifetimeSeconds: number
  log: Logger
}): RevokeTickets {
  const { sealer, store, lifetimeSeconds, log } = options
  const spentKey = (ticket: Ticket) => `revoke-ticket:${ticket.session}:${ticket.attempt}`

  async function open(sealed: unknown): Promise<Ticket> {
    const opened =
      typeof sealed === 'string' && sealed.length <= MAX_TICKET_CHARS
        ? await sealer.unseal(PURPOSE, sealed)
        : null
    const ticket = parseTicket(opened?.value)
    if (!ticket) {
      throw new RelayError(
        'bad_request',
        "'ticket' must be the revoke ticket Disconnect gave, within the hour.",
      )
    }
    return ticket
  }

  return {
    next: (ticket) =>
      sealer.seal(
        PURPOSE,
        {
          uid: ticket.userid,
          sid: ticket.session,
          gen: ticket.generation,
          n: ticket.attempt + 1,
        },
        TICKET_SECONDS,
      ),

    async redeem(sealed) {
      const ticket = await open(sealed)
      let spent: boolean
      try {
        const current = storedNumber(await store.get(generationKey(ticket.userid))) ?? 0
        spent =
          current !== ticket.generation ||
          !(await store.set(spentKey(ticket), '1', {
            ttlMs: TICKET_SECONDS * 1000,
            ifAbsent: true,
          }))
      } catch (cause) {
        // Fails closed: a revoke can wait; a ticket spent twice cannot be undone.
        throw new RelayError(
          'relay_unavailable',
          'The relay cannot check this ticket just now: try again.',
          { cause, retryAfter: 2 },
        )
      }
      if (spent) {
        throw new RelayError(
          'bad_request',
          "'ticket' was already used, or Withings was told since, or the person connected again.",
        )
      }
      return {
        ...ticket,
        // When the revoke was not even tried (the relay's own budget), the ticket stays good.
        unspend: () =>
          store.delete(spentKey(ticket)).catch((cause: unknown) => {
            log({ level: 'warn', msg: 'revoke ticket not given back', cause: errorKind(cause) })
          }),
      }
    },

    async told(userid) {
      await store
        .increment(generationKey(userid), { ttlMs: lifetimeSeconds * 1000, kept: true })
        .catch((cause: unknown) => {
          // Each ticket still works only once.
          log({ level: 'warn', msg: 'revoke tickets not voided', cause: errorKind(cause) })
        })
    },
  }
}

function parseTicket(value: unknown): Ticket | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const { uid, sid, gen, n } = value as Record<string, unknown>
  const whole = (field: unknown) => typeof field === 'number' && Number.isSafeInteger(field)
  if (typeof uid !== 'string' || !/^\d{1,20}$/.test(uid) || typeof sid !== 'string') {
    return undefined
  }
  if (!whole(gen) || !whole(n)) return undefined
  return { userid: uid, session: sid, generation: gen as number, attempt: n as number }
}
