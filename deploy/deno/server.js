// The relay on Deno: `deno run --allow-net --allow-env server.js`, with the settings of
// docs/configuration.md in the environment, and HOST and PORT for where it listens. See
// docs/hosts.md.
import { configFromEnv, createRelay, denoConnectionAddress } from 'withings-link/relay'

const env = Deno.env.toObject()
const config = configFromEnv(env)
const shutdown = new AbortController()
const relay = createRelay(config, {
  connectionAddress: denoConnectionAddress,
  shutdown: shutdown.signal,
  // Several instances share Redis (npm install ioredis); one alone needs nothing.
  ...(config.redisUrl && {
    store: (await import('withings-link/redis')).createRedisStore({ url: config.redisUrl }),
  }),
})
const server = Deno.serve(
  {
    hostname: env.HOST ?? '0.0.0.0',
    port: Number(env.PORT ?? 3000),
    onListen: ({ hostname, port }) =>
      console.log(`withings-link relay listening on http://${hostname}:${port}/`),
  },
  // The handler's info goes along as Hono's env: denoConnectionAddress reads its remoteAddr.
  (request, info) => relay.fetch(request, info),
)

Deno.addSignalListener('SIGTERM', async () => {
  shutdown.abort() // live streams tell their pages to reconnect elsewhere
  await server.shutdown() // requests under way finish
  Deno.exit(0)
})
