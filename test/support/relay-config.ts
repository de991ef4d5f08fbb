import type { RelayConfig } from '../../relay/config'

/** A whole relay config for tests: defaults pointing at an address nothing serves, then `overrides`. */
export function testConfig(overrides: Partial<RelayConfig> = {}): RelayConfig {
  return {
    clientId: 'client',
    clientSecret: 'secret-for-tests',
    redirectUri: 'http://localhost:3000/callback',
    authorizeUrl: 'http://127.0.0.1:9/oauth2_user/authorize2',
    apiUrl: 'http://127.0.0.1:9',
    relaySecrets: ['k'.repeat(32)],
    allowedOrigins: [],
    port: 0,
    emulator: true,
    upstreamTimeoutMs: 1_000,
    rateLimitPerMinute: 60,
    trustProxyHops: 0,
    connectOrigins: [],
    proxySecret: undefined,
    sessionLifetimeSeconds: 30 * 86_400,
    withingsCallsPerMinute: 100,
    signedTokenRequests: false,
    redisUrl: undefined,
    ...overrides,
  }
}
