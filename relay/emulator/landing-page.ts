import { html } from 'hono/html'
import type { RegisteredClient } from './clients'
import { type Html, page } from './html'

export function landingPage({
  clients,
  controlApi,
}: {
  clients: readonly RegisteredClient[]
  controlApi: boolean
}): Html {
  return page({
    title: 'Withings emulator',
    body: html`<h1>Withings emulator</h1>
<p>A local, offline stand-in for <code>account.withings.com</code> and
<code>wbsapi.withings.net</code>: the OAuth 2.0 Web Authorization Flow, the token endpoint and the
data services, with seeded demo data. Nothing here talks to Withings.</p>
<h2>Routes</h2>
<dl>
<dt><code>GET /oauth2_user/authorize2</code></dt><dd>Authorize URL: sign-in (or <code>mode=demo</code>) and the Accept / Deny page.</dd>
<dt><code>POST /v2/oauth2</code></dt><dd><code>action=requesttoken</code>, grant types <code>authorization_code</code> and <code>refresh_token</code>.</dd>
<dt><code>POST /measure</code></dt><dd><code>getmeas</code></dd>
<dt><code>POST /v2/measure</code></dt><dd><code>getactivity</code>, <code>getintradayactivity</code>, <code>getworkouts</code></dd>
<dt><code>POST /v2/sleep</code></dt><dd><code>get</code>, <code>getsummary</code></dd>
<dt><code>POST /v2/heart</code></dt><dd><code>list</code>, <code>get</code></dd>
<dt><code>POST /v2/user</code></dt><dd><code>getdevice</code>, <code>getgoals</code></dd>
${controlApi ? html`<dt><code>/_emulator/requests</code>, <code>/_emulator/faults</code></dt><dd>Control API: request counts and fault switches (JSON).</dd>` : ''}
</dl>
<h2>Registered applications</h2>
<ul>${clients.map((client) => html`<li>${client.name} — client_id <code>${client.clientId}</code></li>`)}</ul>`,
  })
}
