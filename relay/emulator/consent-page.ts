import { html } from 'hono/html'
import type { AuthorizeRequest } from './authorize-request'
import { authorizeFields } from './authorize-request'
import { type Html, hiddenFields, page } from './html'
import { SCOPE_DESCRIPTIONS } from './scope-descriptions'
import type { SeededUser } from './users'

export const CONSENT_PATH = '/oauth2_user/authorize2'

export function consentPage({
  request,
  user,
  ticket,
}: {
  request: AuthorizeRequest
  user: SeededUser
  ticket: string
}): Html {
  const app = request.client.name
  return page({
    title: `Allow ${app}`,
    body: html`<h1>Allow ${app} to access your Withings data?</h1>
<p>Signed in as <strong>${user.displayName}</strong> (${user.email})${user.demo ? ' — the demo account' : ''}.</p>
<h2>${app} asks for</h2>
<dl>
${request.scopes.map((scope) => html`<dt><code>${scope}</code></dt><dd>${SCOPE_DESCRIPTIONS[scope]}</dd>\n`)}
</dl>
<p>Whatever you choose, you will be sent back to <code>${new URL(request.redirectUri).origin}</code>.</p>
<form method="post" action="${CONSENT_PATH}">
${hiddenFields([...authorizeFields(request), ['ticket', ticket]])}
<button type="submit" name="decision" value="accept">Accept</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  })
}
