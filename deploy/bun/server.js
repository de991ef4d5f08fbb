// The relay on Bun: `bun server.js`, with the settings of docs/configuration.md in the
// environment, and HOST and PORT for where it listens. See docs/hosts.md.
import { bunConnectionAddress, configFromEnv, createRelay } from 'withings-link/relay'

const config = configFromEnv(process.env)
const shutdown = new AbortController()
const relay = createRelay(config, {
  connectionAddress: bunConnectionAddress,
  shutdown: shutdown.signal,
  // Several instances share Redis (npm install ioredis); one alone needs nothing.
  ...(config.redisUrl && {
    store: (await import('withings-link/redis')).createRedisStore({ url: config.redisUrl }),
  }),
})
const server = Bun.serve({
  hostname: process.env.HOST ?? '0.0.0.0',
  port: Number(process.env.PORT ?? 3000),
  // Bun closes a connection idle for 10 s by default; a live stream is quiet for up to 20 s
  // between heartbeats.
  idleTimeout: 30,
  // The server goes along as Hono's env: bunConnectionAddress asks it for the client's address.
  fetch: (request, server) => relay.fetch(request, server),
})
console.log(`withings-link relay listening on ${server.url}`)

process.once('SIGTERM', async () => {
  shutdown.abort() // live streams tell their pages to reconnect elsewhere
  await server.stop() // requests under way finish
  process.exit(0)
})
