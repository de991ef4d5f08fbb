import type { AuthorizeRequest } from './authorize-request'
import { randomHex } from './random'

// Who signed in, between the sign-in page and the Accept/Deny form. The ticket is random, bound
// to the exact authorize request it was issued for, short-lived and single use, so a consent
// form cannot be replayed or re-pointed at another client, redirect_uri or state.

const TICKET_LIFETIME_MS = 10 * 60 * 1000

interface Ticket {
  userid: number
  binding: string
  expiresAt: number
}

export interface ConsentTickets {
  issue(request: AuthorizeRequest, userid: number): string
  /** The signed-in userid, once; undefined when unknown, expired or issued for another request. */
  redeem(ticket: string, request: AuthorizeRequest): number | undefined
}

export function createConsentTickets({ now }: { now: () => number }): ConsentTickets {
  const tickets = new Map<string, Ticket>()
  const bindingOf = (request: AuthorizeRequest) =>
    JSON.stringify([request.client.clientId, request.redirectUri, request.scopes, request.state])

  return {
    issue(request, userid) {
      for (const [id, ticket] of tickets) if (ticket.expiresAt <= now()) tickets.delete(id)
      const id = randomHex(32)
      tickets.set(id, {
        userid,
        binding: bindingOf(request),
        expiresAt: now() + TICKET_LIFETIME_MS,
      })
      return id
    },
    redeem(id, request) {
      const ticket = tickets.get(id)
      if (!ticket) return undefined
      tickets.delete(id)
      if (ticket.expiresAt <= now() || ticket.binding !== bindingOf(request)) return undefined
      return ticket.userid
    },
  }
}
