// Cloudflare Pages: `_redirects` cannot proxy to another domain, so this Pages Function forwards
// /api/* to the relay, unchanged: method, headers (Origin, Cookie, X-Withings-Link) and body.
// Set RELAY_URL (e.g. https://relay.example.com) and PROXY_SECRET (the relay's
// TRUSTED_PROXY_SECRET, with TRUST_PROXY=1 there) in the Pages project's environment variables:
// the header proves the request came through this function, so the relay may believe the
// X-Forwarded-For it carries. Copy this folder's `functions/` to the repository root.
// It logs nothing: /callback's query holds the OAuth code, and Withings' callback URL a secret
// (keep that one off Cloudflare with NOTIFY_CALLBACK_BASE_URL=https://relay.example.com on the
// relay). See docs/deploy.md.
export function onRequest({ request, env }) {
  const url = new URL(request.url)
  const forwarded = new Request(`${env.RELAY_URL}${url.pathname}${url.search}`, request)
  forwarded.headers.set('X-Forwarded-For', request.headers.get('CF-Connecting-IP') ?? '')
  forwarded.headers.set('X-Withings-Link-Proxy', env.PROXY_SECRET)
  return fetch(forwarded)
}
