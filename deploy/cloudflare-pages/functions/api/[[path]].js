// Cloudflare Pages: `_redirects` cannot proxy to another domain, so this Pages Function forwards
// /api/* to the relay, unchanged: method, headers (Origin, Cookie, X-Withings-Link) and body.
// Set RELAY_URL (e.g. https://relay.example.com) in the Pages project's environment variables.
// Copy this folder's `functions/` to the repository root. See docs/deploy.md.
export function onRequest({ request, env }) {
  const url = new URL(request.url)
  return fetch(new Request(`${env.RELAY_URL}${url.pathname}${url.search}`, request))
}
