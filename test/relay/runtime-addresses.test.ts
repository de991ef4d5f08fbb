import { Hono } from 'hono'
import { describe, expect, test } from 'vitest'
import { createRelay } from '../../relay/core/create-relay'
import type { LogLine } from '../../relay/core/http/request-log'
import {
  bunConnectionAddress,
  cloudflareConnectionAddress,
  denoConnectionAddress,
} from '../../relay/core/http/runtime-addresses'
import { testConfig } from '../support/relay-config'

// Each runtime's one-liner hands the relay its request info as Hono's env (fetch's second
// argument); the helpers read the address from it. test/hosts proves them on the real runtimes.

const addressOf = async (
  helper: (c: Parameters<typeof bunConnectionAddress>[0]) => string | undefined,
  env: unknown,
  headers: Record<string, string> = {},
) => {
  const app = new Hono().get('/', (c) => c.text(helper(c) ?? 'unknown'))
  return (await app.fetch(new Request('http://relay.test/', { headers }), env)).text()
}

describe("the runtime's address of the client", () => {
  test("Bun: the server's requestIP(request)", async () => {
    const seen: Request[] = []
    const server = {
      requestIP: (request: Request) => {
        seen.push(request)
        return { address: '203.0.113.5', family: 'IPv4', port: 50_123 }
      },
    }
    expect(await addressOf(bunConnectionAddress, server)).toBe('203.0.113.5')
    expect(seen[0]?.url).toBe('http://relay.test/')
    expect(await addressOf(bunConnectionAddress, { requestIP: () => null })).toBe('unknown')
    expect(await addressOf(bunConnectionAddress, undefined)).toBe('unknown')
  })

  test("Deno: the handler info's remoteAddr", async () => {
    const info = { remoteAddr: { transport: 'tcp', hostname: '2001:db8::7', port: 50_124 } }
    expect(await addressOf(denoConnectionAddress, info)).toBe('2001:db8::7')
    expect(await addressOf(denoConnectionAddress, {})).toBe('unknown')
  })

  test("Workers: CF-Connecting-IP, which Cloudflare's edge sets", async () => {
    const headers = { 'cf-connecting-ip': '198.51.100.9' }
    expect(await addressOf(cloudflareConnectionAddress, {}, headers)).toBe('198.51.100.9')
    expect(await addressOf(cloudflareConnectionAddress, {})).toBe('unknown')
  })
})

describe('a relay that knows no address', () => {
  const started = (deps: Parameters<typeof createRelay>[1], trustProxyHops = 0) => {
    const lines: LogLine[] = []
    createRelay(testConfig({ trustProxyHops }), { ...deps, log: (line) => lines.push(line) })
    return lines
  }

  test('says so once, at start, with how to give it one', () => {
    const lines = started({})
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ level: 'warn' })
    expect(lines[0]?.msg).toMatch(/^client addresses unknown: .*connectionAddress.*TRUST_PROXY/)
  })

  test('is silent when given the connection address, or told to trust a proxy', () => {
    expect(started({ connectionAddress: denoConnectionAddress })).toEqual([])
    expect(started({}, 1)).toEqual([])
  })
})
