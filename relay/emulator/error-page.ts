import { html } from 'hono/html'
import { type Html, page } from './html'

/**
 * A bad authorize request is explained here and never redirected: with an unverified
 * redirect_uri the server must not send the browser anywhere (RFC 6749 §4.1.2.1; Withings shows
 * its own error page too).
 */
export function errorPage(problems: readonly string[]): Html {
  return page({
    title: 'Invalid request',
    body: html`<h1>This authorization request cannot continue</h1>
<div class="notice" role="alert">
<ul>${problems.map((problem) => html`<li>${problem}</li>`)}</ul>
</div>
<p>The application that sent you here built an invalid authorization link. Nothing was shared and
you were not sent back to it. If you are its developer, fix the parameters above and try again.</p>`,
  })
}
