import { createHash } from 'node:crypto'
import { expect } from 'vitest'
import type { parseConfig, RelayConfig } from '../../relay/core/config'

/** A whole relay config for tests: defaults pointing at an address nothing serves, then `overrides`. */
export function testConfig(overrides: Partial<RelayConfig> = {}): RelayConfig {
  return {
    clientId: 'client',
    clientSecret: 'secret-for-tests',
    redirectUri: 'http://localhost:3000/callback',
    authorizeUrl: 'http://127.0.0.1:9/oauth2_user/authorize2',
    apiUrl: 'http://127.0.0.1:9',
    relaySecrets: [testKey('k')],
    allowedOrigins: [],
    emulator: true,
    upstreamTimeoutMs: 1_000,
    rateLimitPerMinute: 60,
    trustProxyHops: 0,
    proxySecret: undefined,
    sessionLifetimeSeconds: 30 * 86_400,
    withingsCallsPerMinute: 100,
    signInsPerAddress: 6,
    signedTokenRequests: false,
    redisUrl: undefined,
    ...overrides,
  }
}

/** A RELAY_SECRET key as `openssl rand -base64 32` would make one, the same for the same seed. */
export function testKey(seed: string): string {
  return createHash('sha256').update(seed).digest('base64url')
}

type Parsed = ReturnType<typeof parseConfig>

/** A config parseConfig accepted (the test fails here first, when it did not), with warnings. */
export function accepted(parsed: Parsed): Extract<Parsed, { ok: true }> {
  expect(parsed.ok ? [] : parsed.problems).toEqual([])
  if (!parsed.ok) throw new Error('refused')
  return parsed
}

/** The problems of a config parseConfig refused (the test fails here first, when it did not). */
export function refused(parsed: Parsed): string[] {
  expect(parsed.ok).toBe(false)
  return parsed.ok ? [] : parsed.problems
}
