// withings-link/redis: the shared store over Redis (or Valkey) through ioredis, for several
// relay instances on Node, Bun or Deno (createRelay's `store`; createNodeRelay makes its own from
// REDIS_URL). Not on Workers, which cannot open TCP connections to it: docs/hosts.md.

export { createRedisStore, type RedisStoreOptions } from './redis-store'
