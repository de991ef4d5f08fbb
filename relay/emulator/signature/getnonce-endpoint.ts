import type { Handler } from 'hono'
import type { RateLimiter } from '../client-budget'
import type { ClientRegistry } from '../clients'
import { failure, MESSAGES, success } from '../envelope-answers'
import { applyFaults } from '../fault-response'
import type { FaultSwitchboard } from '../faults'
import { overBudget } from '../over-budget'
import { readFormBody } from '../params'
import type { RecordingRequestLog } from '../recorded-requests'
import type { NonceStore } from './nonces'
import { signatureMatches } from './verify'

// wbsapi's `POST /v2/signature action=getnonce` (reference: signaturev2-getnonce): signed over
// `action`, `client_id` and `timestamp`, it answers `{"nonce": "…"}`. Withings refuses a
// timestamp too far from its own clock without saying how far; the emulator allows five minutes
// either way, as Slack's request signing does
// (https://api.slack.com/authentication/verifying-requests-from-slack).

export const TIMESTAMP_TOLERANCE_SECONDS = 300

const GETNONCE_PARAMS = ['action', 'client_id', 'timestamp'] as const

interface GetnonceDeps {
  clients: ClientRegistry
  nonces: NonceStore
  rateLimiter: RateLimiter
  requests: RecordingRequestLog
  faults: FaultSwitchboard
  now: () => number
}

export function getnonceEndpoint(deps: GetnonceDeps): Handler {
  const { clients, nonces, rateLimiter, requests, faults, now } = deps

  function timestampIsFresh(text: string): boolean {
    if (!/^\d{1,12}$/.test(text)) return false
    return Math.abs(Number(text) - now() / 1000) <= TIMESTAMP_TOLERANCE_SECONDS
  }

  async function handle(form: URLSearchParams): Promise<Response> {
    const clientId = form.get('client_id') ?? ''
    const limited = overBudget(rateLimiter, clientId)
    if (limited) return limited
    if (form.get('action') !== 'getnonce') return failure(2554, MESSAGES.notImplemented)
    const client = clients.get(clientId)
    if (!client) return failure(503, MESSAGES.invalidClient)
    if (!(await signatureMatches(form, GETNONCE_PARAMS, client.clientSecret))) {
      return failure(342, MESSAGES.invalidSignature)
    }
    if (!timestampIsFresh(form.get('timestamp') ?? '')) {
      return failure(503, MESSAGES.invalidParams('timestamp'))
    }
    return success({ nonce: nonces.issue(client.clientId) })
  }

  return async function getnonceRoute(c) {
    const form = await readFormBody(c.req.raw)
    const action = form.get('action')
    requests.record({ route: 'signature', ...(action === null ? {} : { action }), at: now() })
    return (await applyFaults(faults, 'token', c.env)) ?? handle(form)
  }
}
