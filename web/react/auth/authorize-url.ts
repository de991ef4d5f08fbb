export interface AuthorizeRequest {
  authorizeUrl: string
  clientId: string
  redirectUri: string
  scopes: readonly string[]
  state: string
  demo: boolean
}

/**
 * Withings' authorize URL in exactly its documented form: parameters in the documented order and
 * scopes joined by literal commas (reference, oauth2-authorize). `mode=demo` only when asked.
 */
export function buildAuthorizeUrl(request: AuthorizeRequest): string {
  const parameters: [string, string][] = [
    ['response_type', 'code'],
    ['client_id', request.clientId],
    ['scope', request.scopes.map(encodeURIComponent).join(',')],
    ['redirect_uri', request.redirectUri],
    ['state', request.state],
  ]
  if (request.demo) parameters.push(['mode', 'demo'])
  const query = parameters
    .map(([name, value]) => `${name}=${name === 'scope' ? value : encodeURIComponent(value)}`)
    .join('&')
  return `${request.authorizeUrl}?${query}`
}
