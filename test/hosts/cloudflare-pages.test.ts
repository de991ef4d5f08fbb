import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import type { PublicConfig } from '../../relay/contract/wire-contract'
import { type ApiClient, createApiClient } from '../support/api-client'
import { fetchFrom } from '../support/fetch-from'
import { freePort } from '../support/free-port'
import { startLoginAt } from '../support/login'
import { type HostedWithings, hostedWithings } from './hosted-withings'
import { allRuntimes, selectedRuntimes } from './runtimes'
import { type Served, serveOn } from './serve-on'

// deploy/cloudflare-pages' function in workerd, behind the edge stand-in, forwarding /api/* to a
// relay served by Node (`npm start`'s bundle) that trusts it (TRUST_PROXY=1 with the shared
// secret): the sign-in goes through it, and the relay counts each client by the address
// Cloudflare saw, never by one a client wrote.

const builds = inject('hostBuilds')
const PROXY_SECRET = 'pages-proxy-secret-0123456789'
const RATE_LIMIT_PER_MINUTE = 20
const workerd = selectedRuntimes().find((runtime) => runtime.family === 'workerd')
const node = allRuntimes().find((runtime) => runtime.id === 'node')

describe.skipIf(!workerd || !node)(`the Cloudflare Pages function on ${workerd?.name}`, () => {
  let withings: HostedWithings
  let relay: Served
  let pages: Served
  let siteUrl: string
  let config: PublicConfig

  beforeAll(async () => {
    if (!workerd || !node) return
    const port = await freePort()
    siteUrl = `http://localhost:${port}`
    withings = await hostedWithings(siteUrl, 'pages')
    relay = await serveOn({
      runtime: node,
      program: 'relay',
      builds,
      env: withings.relayEnv(builds, {
        TRUST_PROXY: '1',
        TRUSTED_PROXY_SECRET: PROXY_SECRET,
        RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT_PER_MINUTE),
      }),
    })
    pages = await serveOn({
      runtime: workerd,
      program: 'pages',
      builds,
      port,
      env: { RELAY_URL: relay.url, PROXY_SECRET },
    })
    config = await (await fetch(`${pages.url}/api/config`)).json()
  }, 60_000)

  afterAll(async () => {
    await pages?.stop()
    await relay?.stop()
    await withings?.close()
  })

  const through = (address: string) =>
    createApiClient(pages.url, { origin: siteUrl, send: fetchFrom(address) })
  const login = (api: ApiClient, headers?: Record<string, string>) =>
    api.post('/api/auth/login', { state: 'x'.repeat(43) }, { headers: headers ?? {} })

  test('signs in through it: the code exchanged, the sealed cookie back to the page', async () => {
    const api = through('127.0.0.40')
    const { body, bound } = await startLoginAt(api, config, { fetch: withings.emulator.fetch })
    expect(bound.headers.get('set-cookie')).toMatch(/wl-login=v1\./)
    const exchanged = await api.post('/api/auth/token', body)
    expect(exchanged.status).toBe(200)
    expect(await exchanged.json()).toMatchObject({ userid: '363' })
  })

  test('the relay counts the address Cloudflare saw, whatever X-Forwarded-For a client sends', async () => {
    const one = through('127.0.0.41')
    for (let post = 0; post < RATE_LIMIT_PER_MINUTE; post++) {
      // A fresh claimed address each time: were it believed, no limit would ever apply.
      expect((await login(one, { 'x-forwarded-for': `203.0.113.${post}` })).status).toBe(204)
    }
    expect((await login(one, { 'cf-connecting-ip': '203.0.113.99' })).status).toBe(429)
    expect((await login(through('127.0.0.42'))).status).toBe(204)
  })

  test('straight to the relay, without the secret, X-Forwarded-For is not believed', async () => {
    const direct = createApiClient(relay.url, {
      origin: siteUrl,
      send: fetchFrom('127.0.0.43'),
    })
    for (let post = 0; post < RATE_LIMIT_PER_MINUTE; post++) {
      expect((await login(direct, { 'x-forwarded-for': `198.51.100.${post}` })).status).toBe(204)
    }
    expect((await login(direct, { 'x-forwarded-for': '198.51.100.200' })).status).toBe(429)
  })
})
