import { html } from 'hono/html'
import type { AuthorizeRequest } from './authorize-request'
import { authorizeFields } from './authorize-request'
import { type Html, hiddenFields, page } from './html'
import { accountsOf, type SeededAccount, type SeededUser } from './users'

export const SIGN_IN_PATH = '/oauth2_user/login'

export function signInPage({
  request,
  users,
  email = '',
  error,
}: {
  request: AuthorizeRequest
  users: readonly SeededUser[]
  email?: string
  error?: string
}): Html {
  const accounts = accountsOf(users.filter((user) => !user.demo))
  const named = (account: SeededAccount) =>
    account.users.length > 1
      ? `${account.name} (users ${account.users.map((user) => user.displayName).join(' and ')})`
      : account.name
  return page({
    title: 'Sign in',
    body: html`<h1>Sign in to Withings</h1>
<p><strong>${request.client.name}</strong> wants to connect to your Withings account.</p>
${error ? html`<p class="notice" role="alert" id="sign-in-error">${error}</p>` : ''}
<form method="post" action="${SIGN_IN_PATH}">
${hiddenFields(authorizeFields(request))}
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${email}"${error ? html` aria-describedby="sign-in-error"` : ''}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit" class="primary">Sign in</button>
</form>
<section class="hint" aria-labelledby="accounts">
<h2 id="accounts">Accounts in this emulator</h2>
<p>This is a local test double, so its accounts and passwords are public:</p>
<dl>
${accounts.map((account) => html`<dt>${named(account)}</dt><dd>Email <code>${account.email}</code>, password <code>${account.password}</code></dd>\n`)}
</dl>
<p>Add <code>mode=demo</code> to the authorization link to skip this page as the demo user.</p>
</section>`,
  })
}
