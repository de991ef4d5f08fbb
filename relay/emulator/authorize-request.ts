import { SCOPES, type Scope } from '../contract/wire-contract'
import { checkRedirectUri } from './callbacks'
import type { ClientRegistry, RegisteredClient } from './clients'

/** A validated authorize request: what the consent page shows and what a code is bound to. */
export interface AuthorizeRequest {
  client: RegisteredClient
  redirectUri: string
  scopes: Scope[]
  state: string
  demo: boolean
}

type AuthorizeParse = { ok: true; request: AuthorizeRequest } | { ok: false; problems: string[] }

/** Parameters the pages carry through hidden fields, in this order. */
const AUTHORIZE_FIELDS = [
  'response_type',
  'client_id',
  'redirect_uri',
  'scope',
  'state',
  'mode',
] as const

const INVALID_CLIENT_ID = 'invalid clientid'

/**
 * Checks every parameter of oauth2-authorize (reference: response_type, client_id, state, scope,
 * redirect_uri all required; mode optional) and reports every problem at once, so a developer
 * fixes their URL in one go. Nothing here ever leads to a redirect.
 */
export function parseAuthorizeRequest(
  params: URLSearchParams,
  { clients, allowLocalCallbacks }: { clients: ClientRegistry; allowLocalCallbacks: boolean },
): AuthorizeParse {
  const problems: string[] = []
  // RFC 6749 §3.1: request parameters MUST NOT be included more than once.
  for (const name of AUTHORIZE_FIELDS) {
    if (params.getAll(name).length > 1) problems.push(`invalid ${name}: given more than once`)
  }

  const responseType = params.get('response_type')
  if (responseType !== 'code') {
    problems.push('invalid response_type: it must be the constant string "code"')
  }

  const client = clients.get(params.get('client_id') ?? '')
  if (!client) problems.push(INVALID_CLIENT_ID)

  const redirectUri = params.get('redirect_uri') ?? ''
  if (client) {
    const check = checkRedirectUri(redirectUri, client.callbacks, { allowLocalCallbacks })
    if (!check.ok) problems.push(check.reason)
  }

  const scopes = parseScopes(params.get('scope'))
  if (typeof scopes === 'string') problems.push(scopes)

  const state = params.get('state')
  if (!state) problems.push('invalid state: the state parameter is required')

  if (problems.length > 0 || !client || typeof scopes === 'string' || !state) {
    return { ok: false, problems }
  }
  return {
    ok: true,
    request: { client, redirectUri, scopes, state, demo: params.get('mode') === 'demo' },
  }
}

/** `user.info,user.metrics` → scopes in the order asked, duplicates dropped; or a problem. */
function parseScopes(text: string | null): Scope[] | string {
  if (!text) return 'invalid scope: the scope parameter is required'
  const scopes: Scope[] = []
  for (const item of text.split(',')) {
    const scope = SCOPES.find((known) => known === item)
    if (!scope) {
      return `invalid scope: "${item}" is not one of ${SCOPES.join(', ')} (comma-separated, no spaces)`
    }
    if (!scopes.includes(scope)) scopes.push(scope)
  }
  return scopes
}

/** The parameters as they were validated, for hidden form fields. */
export function authorizeFields(request: AuthorizeRequest): [string, string][] {
  const fields: [string, string][] = [
    ['response_type', 'code'],
    ['client_id', request.client.clientId],
    ['redirect_uri', request.redirectUri],
    ['scope', request.scopes.join(',')],
    ['state', request.state],
  ]
  if (request.demo) fields.push(['mode', 'demo'])
  return fields
}
