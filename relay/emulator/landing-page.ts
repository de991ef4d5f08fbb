import { html } from 'hono/html'
import type { RegisteredClient } from './clients'
import { type Html, page } from './html'

export function landingPage({
  clients,
  controlApi,
  notifications,
}: {
  clients: readonly RegisteredClient[]
  controlApi: boolean
  /** The Notifications section, shown with the control API. */
  notifications?: Html | undefined
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
<dt><code>POST /v2/oauth2</code></dt><dd><code>action=requesttoken</code>, grant types <code>authorization_code</code> and <code>refresh_token</code>, with the client secret or signed; <code>action=revoke</code> (signed).</dd>
<dt><code>POST /v2/signature</code></dt><dd><code>getnonce</code></dd>
<dt><code>POST /notify</code></dt><dd><code>subscribe</code>, <code>list</code>, <code>get</code>, <code>update</code>, <code>revoke</code>, and deliveries to the callbacks</dd>
<dt><code>POST /measure</code></dt><dd><code>getmeas</code></dd>
<dt><code>POST /v2/measure</code></dt><dd><code>getactivity</code>, <code>getintradayactivity</code>, <code>getworkouts</code></dd>
<dt><code>POST /v2/sleep</code></dt><dd><code>get</code>, <code>getsummary</code></dd>
<dt><code>POST /v2/heart</code></dt><dd><code>list</code>, <code>get</code></dd>
<dt><code>POST /v2/user</code></dt><dd><code>getdevice</code>, <code>getgoals</code></dd>
${controlApi ? html`<dt><code>/_emulator/requests</code>, <code>/_emulator/faults</code>, <code>/_emulator/notify/…</code></dt><dd>Control API: request counts, fault switches, subscriptions, deliveries and events (JSON).</dd>` : ''}
</dl>
<h2>Registered applications</h2>
<ul>${clients.map((client) => html`<li>${client.name} — client_id <code>${client.clientId}</code></li>`)}</ul>
${notifications ?? ''}`,
  })
}
