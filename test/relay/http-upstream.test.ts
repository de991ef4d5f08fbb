import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { createEmulator, type Emulator, type Fault } from '../../relay/emulator'
import { RelayError } from '../../relay/errors'
import { createHttpUpstream, type HttpUpstream } from '../../relay/node/http-upstream'
import { type Listening, listen } from '../../relay/node/listen'
import { nodeRawConnection } from '../../relay/node/raw-connection'
import { createTokenClient } from '../../relay/withings/token-client'
import { postFormText, type UpstreamFetch } from '../../relay/withings/upstream'

// Node's road to Withings must behave as the Web's fetch does for everything the relay asks of
// it: the same request on the wire, the same answer, and the same failure for every fault.

const CLIENT = { clientId: 'upstream-test', clientSecret: 'upstream-test-secret-0123456789' }
const cleanup: (() => unknown)[] = []
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step()
})

async function emulatorOverHttp(): Promise<{ emulator: Emulator; server: Listening }> {
  const emulator = createEmulator({
    clients: [{ ...CLIENT, callbacks: ['https://app.example.com/callback'] }],
    connection: nodeRawConnection,
  })
  const server = await listen(emulator.fetch)
  cleanup.push(() => server.close())
  return { emulator, server }
}

function httpUpstream(): HttpUpstream {
  const upstream = createHttpUpstream()
  cleanup.push(() => upstream.close())
  return upstream
}

let calls = 0
/** A refresh with a token Withings does not know, never the same twice (status 601 otherwise). */
const refresh = (fetch: UpstreamFetch, apiUrl: string, timeoutMs = 2_000) =>
  createTokenClient({ ...CLIENT, apiUrl, fetch, timeoutMs }).request({
    type: 'refresh_token',
    refreshToken: `unknown-refresh-token-${++calls}`,
  })

/** The RelayError a request ends with, as a comparable record. */
async function outcome(request: Promise<unknown>) {
  try {
    await request
    return 'resolved'
  } catch (error) {
    if (!(error instanceof RelayError)) throw error
    return { code: error.code, message: error.message }
  }
}

describe('the Node upstream (node:http) against the emulator over HTTP', () => {
  test('sends the form as fetch does and hands back status and text', async () => {
    const { emulator, server } = await emulatorOverHttp()
    const answer = await httpUpstream().fetch(`${server.url}/v2/oauth2`, {
      method: 'POST',
      headers: { accept: 'application/json' },
      body: new URLSearchParams({ action: 'requesttoken', grant_type: 'refresh_token' }),
      signal: AbortSignal.timeout(2_000),
      redirect: 'manual',
      maxBytes: 65_536,
    })
    expect(answer.status).toBe(200)
    expect(JSON.parse(await answer.text())).toMatchObject({ status: 503 })
    expect(emulator.requests.count({ grantType: 'refresh_token' })).toBe(1)
  })

  const FAULTS: [string, Fault | undefined][] = [
    ['no fault (Withings refuses the token)', undefined],
    ['slower than the deadline', { type: 'delay', ms: 1_000 }],
    ['HTTP 502', { type: 'http', status: 502 }],
    ['a body that is not JSON', { type: 'broken-json' }],
    ['a truncated body', { type: 'truncated' }],
    ['a reset connection', { type: 'reset' }],
    ['status 601', { type: 'status', status: 601, body: { wait_seconds: 12 } }],
  ]
  test.each(FAULTS)('%s: the same outcome as with fetch', async (_, fault) => {
    const { emulator, server } = await emulatorOverHttp()
    const upstream = httpUpstream()
    const outcomes = []
    for (const fetch of [globalThis.fetch, upstream.fetch]) {
      if (fault) emulator.faults.inject(fault, { times: 1 })
      outcomes.push(await outcome(refresh(fetch, server.url, 300)))
    }
    expect(outcomes[0]).not.toBe('resolved')
    expect(outcomes[1]).toEqual(outcomes[0])
  })

  test('an unreachable Withings: the same outcome as with fetch', async () => {
    const { server } = await emulatorOverHttp()
    const url = server.url
    await server.close()
    const outcomes = [
      await outcome(refresh(globalThis.fetch, url)),
      await outcome(refresh(httpUpstream().fetch, url)),
    ]
    expect(outcomes[1]).toEqual(outcomes[0])
    expect(outcomes[1]).toMatchObject({ code: 'upstream_unavailable' })
  })

  test('the deadline ends a slow answer on time', async () => {
    const { emulator, server } = await emulatorOverHttp()
    emulator.faults.inject({ type: 'delay', ms: 5_000 }, { times: 1 })
    const started = performance.now()
    expect(await outcome(refresh(httpUpstream().fetch, server.url, 100))).toMatchObject({
      code: 'upstream_timeout',
    })
    expect(performance.now() - started).toBeLessThan(2_000)
  })
})

describe('connections', () => {
  test('one kept-alive connection serves request after request', async () => {
    let connections = 0
    const server = createServer((_, response) => {
      response.setHeader('content-type', 'application/json')
      response.end('{"status":0,"body":{}}')
    })
    server.on('connection', () => connections++)
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready))
    cleanup.push(() => new Promise((done) => server.close(done)))
    const { port } = server.address() as AddressInfo
    const upstream = httpUpstream()
    for (let i = 0; i < 5; i++) {
      const answer = await upstream.fetch(`http://127.0.0.1:${port}/v2/oauth2`, {
        method: 'POST',
        headers: {},
        body: new URLSearchParams({ n: String(i) }),
        signal: AbortSignal.timeout(2_000),
        redirect: 'manual',
        maxBytes: 65_536,
      })
      expect(await answer.text()).toBe('{"status":0,"body":{}}')
    }
    expect(connections).toBe(1)
  })
})

describe('answers larger than the relay reads', () => {
  /** A server answering a valid envelope padded to `bytes`. */
  async function bigAnswers(bytes: number) {
    const body = `{"status":0,"body":{"pad":"${'x'.repeat(bytes)}"}}`
    const server = createServer((_, response) => {
      response.setHeader('content-type', 'application/json')
      response.end(body)
    })
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready))
    cleanup.push(() => new Promise((done) => server.close(done)))
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
  }

  const ask = (fetch: UpstreamFetch, url: string, maxBytes: number) =>
    outcome(postFormText({ fetch, timeoutMs: 2_000 }, `${url}/measure`, {}, { maxBytes }))

  test.each([
    ['Node', () => httpUpstream().fetch],
    ['the Web fetch', () => globalThis.fetch as UpstreamFetch],
  ])('over %s: past the limit is upstream_error, under it the text', async (_, road) => {
    const { url } = await bigAnswers(200_000)
    expect(await ask(road(), url, 100_000)).toMatchObject({
      code: 'upstream_error',
      message: "Withings' answer is larger than 100000 bytes.",
    })
    expect(await ask(road(), url, 300_000)).toBe('resolved')
  })
})
