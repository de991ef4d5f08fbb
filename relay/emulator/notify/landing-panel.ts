import { html } from 'hono/html'
import type { Html } from '../html'
import type { SeededUser } from '../users'
import { categoryOf } from './categories'
import { describeDelivery } from './describe'
import type { EmulatorNotifications } from './notify-service'

// The landing page's Notifications section (with the control API on): buttons that make a
// person's devices report something, who is subscribed, and what the last deliveries did. A plain
// form, no script; the hidden token proves the post came from this page.

const TRIGGER_PATH = '/_emulator/notify/trigger'
export const FORM_TOKEN_FIELD = 'form_token'

const LATEST_DELIVERIES = 10

/** What the last press did, and for whom (who stays selected). */
export interface PanelNotice {
  text: string
  userid?: number | undefined
}

export function notifyPanel({
  users,
  notifications,
  formToken,
  notice,
}: {
  users: readonly SeededUser[]
  notifications: EmulatorNotifications
  formToken: string
  notice?: PanelNotice | undefined
}): Html {
  const { subscriptions } = notifications
  const countOf = (user: SeededUser) => subscriptions.filter((s) => s.userid === user.userid).length
  const nameOf = (userid: number) =>
    users.find((user) => user.userid === userid)?.displayName ?? `userid ${userid}`
  const latest = notifications.deliveries.slice(-LATEST_DELIVERIES).reverse()

  return html`<h2 id="notifications">Notifications</h2>
<p>Make a person's devices report something: each subscription to that category is then notified
as Withings does it (a form POST to its callback, 2 seconds to answer, retries for hours).</p>
${notice ? html`<p class="hint" role="status">${notice.text}</p>` : ''}
<form method="post" action="${TRIGGER_PATH}">
<input type="hidden" name="${FORM_TOKEN_FIELD}" value="${formToken}">
<label for="notify-userid">Person</label>
<select id="notify-userid" name="userid">
${users.map((user) => html`<option value="${user.userid}"${user.userid === notice?.userid ? ' selected' : ''}>${user.displayName} (userid ${user.userid}) — ${countOf(user)} subscription(s)</option>\n`)}</select>
<label for="notify-kg">Weight of a new weighing, in kg (optional)</label>
<input id="notify-kg" name="kg" type="number" step="0.1" min="2" max="300">
<p>
<button type="submit" name="event" value="weighing">Add a weighing</button>
<button type="submit" name="event" value="bed_in">Bed in</button>
<button type="submit" name="event" value="bed_out">Bed out</button>
<button type="submit" name="event" value="inflate_done">Inflate done</button>
</p>
</form>
<h3>Subscribed</h3>
${
  subscriptions.length === 0
    ? html`<p>Nobody is subscribed yet.</p>`
    : html`<table>
<thead><tr><th scope="col">Person</th><th scope="col">Category</th><th scope="col">Callback URL</th></tr></thead>
<tbody>${subscriptions.map((s) => html`<tr><td>${nameOf(s.userid)}</td><td>${categoryOf(s.appli)?.name ?? s.appli} (${s.appli})</td><td><code>${s.callbackurl}</code></td></tr>\n`)}</tbody>
</table>`
}
<h3>Latest deliveries</h3>
${
  latest.length === 0
    ? html`<p>Nothing was delivered yet.</p>`
    : html`<ul>${latest.map((d) => html`<li>${nameOf(d.userid)}, appli ${d.appli}, to <code>${d.callbackurl}</code>: ${describeDelivery(d)}</li>\n`)}</ul>`
}`
}
