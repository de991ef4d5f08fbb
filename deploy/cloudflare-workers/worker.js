// The relay as a Cloudflare Worker (`npx wrangler deploy`, wrangler.toml beside this file), with
// the settings of docs/configuration.md as the Worker's variables and secrets. See docs/hosts.md:
// each isolate keeps its own limits and live streams.
import { waitUntil } from 'cloudflare:workers'
import { cloudflareConnectionAddress, configFromEnv, createRelay } from 'withings-link/relay'

let relay
export default {
  fetch(request, env, ctx) {
    // Made at the first request: a Worker's top level may not use timers, randomness or I/O.
    relay ??= createRelay(configFromEnv(env), {
      // CF-Connecting-IP, which Cloudflare's edge sets on every request.
      connectionAddress: cloudflareConnectionAddress,
      // Subscribing after a sign-in, passing a notification on: work after the answer.
      waitUntil,
    })
    return relay.fetch(request, env, ctx)
  },
}
