import { html } from 'hono/html'
import type { AuthorizeRequest } from './authorize-request'
import { authorizeFields } from './authorize-request'
import { type Html, hiddenFields, page } from './html'
import type { SeededUser } from './users'

// Withings' "Select a user" step: after signing in to an account that holds several people, the
// person says who connects, and the code is for that user's userid. One button per user, each
// carrying a consent ticket for that user only, so the choice cannot name anyone else.

export const SELECT_USER_PATH = '/oauth2_user/select_user'

interface UserChoice {
  user: SeededUser
  ticket: string
}

export function selectUserPage({
  request,
  account,
  choices,
}: {
  request: AuthorizeRequest
  account: string
  choices: readonly UserChoice[]
}): Html {
  return page({
    title: 'Select a user',
    body: html`<h1>Select a user</h1>
<p><strong>${account}</strong> holds several people. Who connects to <strong>${request.client.name}</strong>?</p>
<form method="post" action="${SELECT_USER_PATH}">
${hiddenFields(authorizeFields(request))}
<ul class="choices">
${choices.map(({ user, ticket }) => html`<li><button type="submit" name="user" value="${ticket}">${user.displayName}</button></li>\n`)}
</ul>
</form>`,
  })
}
