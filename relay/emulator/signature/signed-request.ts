import { constantTimeEqual } from '../../contract/wire-contract'
import type { ClientRegistry, RegisteredClient } from '../clients'
import { failure, MESSAGES } from '../envelope-answers'
import type { NonceStore } from './nonces'
import { signatureMatches } from './verify'

// A call signed instead of carrying the client secret (revoke, requesttoken "Using signature"):
// it signs `action`, `client_id` and `nonce` (developer guide, "Sign your requests"), and the
// nonce must be one this client got from getnonce, unspent and under 30 minutes old.

const SIGNED_CALL_PARAMS = ['action', 'client_id', 'nonce'] as const

type SignedCallCheck = { ok: true; client: RegisteredClient } | { ok: false; response: Response }

const unknownClient = (): SignedCallCheck => ({
  ok: false,
  response: failure(503, MESSAGES.invalidClient),
})

export async function checkSignedCall(
  form: URLSearchParams,
  { clients, nonces }: { clients: ClientRegistry; nonces: NonceStore },
): Promise<SignedCallCheck> {
  const client = clients.get(form.get('client_id') ?? '')
  if (!client) return unknownClient()
  if (!(await signatureMatches(form, SIGNED_CALL_PARAMS, client.clientSecret))) {
    return { ok: false, response: failure(342, MESSAGES.invalidSignature) }
  }
  // No public report tells unknown, expired and spent nonces apart: all three get the answer
  // Withings gives any bad parameter (status 503, "invalid params" family).
  if (!nonces.spend(form.get('nonce') ?? '', client.clientId)) {
    return { ok: false, response: failure(503, MESSAGES.invalidParams('nonce')) }
  }
  return { ok: true, client }
}

/**
 * The client of a token request: by its `client_secret`, or — "Using signature" (reference:
 * oauth2-getaccesstoken, TokenRequestWithSignature) — by `nonce` and `signature` instead.
 */
export async function tokenRequestClient(
  form: URLSearchParams,
  deps: { clients: ClientRegistry; nonces: NonceStore },
): Promise<SignedCallCheck> {
  if (form.has('signature') && !form.has('client_secret')) return checkSignedCall(form, deps)
  const client = deps.clients.get(form.get('client_id') ?? '')
  if (!client) return unknownClient()
  if (!constantTimeEqual(client.clientSecret, form.get('client_secret') ?? '')) {
    return { ok: false, response: failure(503, MESSAGES.invalidClient) }
  }
  return { ok: true, client }
}
