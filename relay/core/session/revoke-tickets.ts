import { RelayError } from '../errors'
import type { Sealer } from '../seal'

// When Disconnect could not reach Withings, the cookies are gone but the grant lives on. The page
// that asked gets a ticket to try again: sealed, short-lived, naming only the person's userid, so
// it allows nothing but revoking that person's grant — which is what its holder wants anyway.

const PURPOSE = 'withings-link revoke ticket'
const TICKET_SECONDS = 3600

export interface RevokeTickets {
  issue(userid: string): Promise<string>
  /** The userid a ticket names, or bad_request for anything forged, expired or malformed. */
  open(ticket: unknown): Promise<string>
}

export function createRevokeTickets(sealer: Sealer): RevokeTickets {
  return {
    issue: (userid) => sealer.seal(PURPOSE, { uid: userid }, TICKET_SECONDS),
    async open(ticket) {
      const opened =
        typeof ticket === 'string' && ticket.length <= 512
          ? await sealer.unseal(PURPOSE, ticket)
          : null
      const value = opened?.value
      const userid =
        typeof value === 'object' && value !== null
          ? (value as Record<string, unknown>).uid
          : undefined
      if (typeof userid !== 'string' || !/^\d{1,20}$/.test(userid)) {
        throw new RelayError(
          'bad_request',
          "'ticket' must be the revoke ticket Disconnect gave, within the hour.",
        )
      }
      return userid
    },
  }
}
