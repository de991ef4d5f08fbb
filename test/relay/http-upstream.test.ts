import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterEach, describe, expect, test } from 'vitest'
import { RelayError } from '../../relay/core/errors'
import { createTokenClient } from '../../relay/core/withings/token-client'
import { postForm, postFormText, type UpstreamFetch } from '../../relay/core/withings/upstream'
import { createEmulator, type Emulator, type Fault } from '../../relay/emulator/emulator'
import { createHttpUpstream, type HttpUpstream } from '../../relay/node/http-upstream'
import { type Listening, listen } from '../../relay/node/listen'
import { nodeRawConnection } from '../../relay/node/raw-connection'

// Node's road to Withings must behave as the Web's fetch does for everything the relay asks of
// it: the same request on the wire, the same answer, and the same failure for every fault.

const run = promisify(execFile)
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

/**
 * The RelayError a request ends with, as a comparable record: its code, its sentence, and whether
 * it keeps the failure under it as its cause (the operator's log line names the cause).
 */
async function outcome(request: Promise<unknown>) {
  try {
    await request
    return 'resolved'
  } catch (error) {
    if (!(error instanceof RelayError)) throw error
    return { code: error.code, message: error.message, cause: error.cause instanceof Error }
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

  const transport = (code: string, message: string) => ({ code, message, cause: true })
  const refusal = (code: string, message: string) => ({ code, message, cause: false })
  const FAULTS: [string, Fault | undefined, ReturnType<typeof transport>][] = [
    [
      'no fault (Withings refuses the token)',
      undefined,
      refusal('session_expired', 'Withings no longer accepts this session (Withings status 503).'),
    ],
    [
      'slower than the deadline',
      { type: 'delay', ms: 1_000 },
      transport('upstream_timeout', 'Withings did not answer in time.'),
    ],
    [
      'HTTP 500',
      { type: 'http', status: 500 },
      refusal('upstream_unavailable', 'Withings answered HTTP 500.'),
    ],
    [
      'HTTP 502',
      { type: 'http', status: 502 },
      refusal('upstream_unavailable', 'Withings answered HTTP 502.'),
    ],
    [
      'a body that is not JSON',
      { type: 'broken-json' },
      transport('upstream_unavailable', 'Withings answered with a body that is not JSON.'),
    ],
    [
      'a truncated body',
      { type: 'truncated' },
      transport(
        'upstream_unavailable',
        'The connection to Withings ended in the middle of its answer.',
      ),
    ],
    [
      'a reset connection',
      { type: 'reset' },
      transport('upstream_unavailable', 'Withings could not be reached.'),
    ],
    [
      'status 601',
      { type: 'status', status: 601, body: { wait_seconds: 12 } },
      refusal('rate_limited', 'Withings asks to slow down (Withings status 601).'),
    ],
  ]
  test.each(FAULTS)('%s: the same outcome as with fetch', async (_, fault, expected) => {
    const { emulator, server } = await emulatorOverHttp()
    const upstream = httpUpstream()
    const outcomes = []
    for (const fetch of [globalThis.fetch, upstream.fetch]) {
      if (fault) emulator.faults.inject(fault, { times: 1 })
      outcomes.push(await outcome(refresh(fetch, server.url, 300)))
    }
    expect(outcomes).toEqual([expected, expected])
  })

  test('an unreachable Withings: the same outcome as with fetch', async () => {
    const { server } = await emulatorOverHttp()
    const url = server.url
    await server.close()
    const outcomes = [
      await outcome(refresh(globalThis.fetch, url)),
      await outcome(refresh(httpUpstream().fetch, url)),
    ]
    const unreachable = transport('upstream_unavailable', 'Withings could not be reached.')
    expect(outcomes).toEqual([unreachable, unreachable])
  })

  test('the deadline ends a slow answer', async () => {
    const { emulator, server } = await emulatorOverHttp()
    // An answer later than the test's own timeout: only the 100 ms deadline can end the call.
    emulator.faults.inject({ type: 'delay', ms: 30_000 }, { times: 1 })
    expect(await outcome(refresh(httpUpstream().fetch, server.url, 100))).toMatchObject({
      code: 'upstream_timeout',
    })
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

  test('close() ends the kept-alive connections: a stopping relay holds none open', async () => {
    let socketClosed: () => void = () => {}
    const closed = new Promise<void>((resolve) => {
      socketClosed = resolve
    })
    const { url } = await withingsStandIn((_, response) => response.end('{"status":0}'), {
      onConnection: (socket) => socket.on('close', socketClosed),
    })
    const upstream = createHttpUpstream()
    expect(await ask(upstream.fetch, url, 100)).toBe('resolved')
    upstream.close()
    // Left alone, the idle connection would close after the agent's 4 s, past this test's time.
    await closed
  }, 3_000)

  test('a deadline already past sends nothing', async () => {
    let requests = 0
    const { url } = await withingsStandIn((_, response) => {
      requests++
      response.end('{"status":0}')
    })
    const aborted = AbortSignal.abort(new DOMException('late', 'TimeoutError'))
    const sent = httpUpstream().fetch(`${url}/measure`, {
      method: 'POST',
      headers: {},
      body: new URLSearchParams(),
      signal: aborted,
      redirect: 'manual',
      maxBytes: 100,
    })
    await expect(sent).rejects.toBe(aborted.reason)
    expect(requests).toBe(0)
  })

  test('over https, as Withings is: the same request and answer', async () => {
    const { url, received } = await withingsOverTls()
    const answer = await httpUpstream().fetch(`${url}/v2/oauth2`, {
      method: 'POST',
      headers: {},
      body: new URLSearchParams({ action: 'requesttoken' }),
      signal: AbortSignal.timeout(2_000),
      redirect: 'manual',
      maxBytes: 100,
    })
    expect(answer.status).toBe(200)
    expect(await answer.text()).toBe('{"status":0,"body":{}}')
    expect(received).toEqual(['POST /v2/oauth2 action=requesttoken'])
  })
})

/**
 * Withings' place over TLS, with a certificate made for the test (openssl): Node believes it
 * for the test's length only (NODE_TLS_REJECT_UNAUTHORIZED, restored after), since the road
 * takes no certificate authority of its own.
 */
async function withingsOverTls() {
  const dir = mkdtempSync(join(tmpdir(), 'wl-tls-'))
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }))
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')]
  await run('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1'],
  ])
  const received: string[] = []
  const server = createHttpsServer(
    { key: readFileSync(key), cert: readFileSync(cert) },
    (request, response) => {
      let body = ''
      request.on('data', (chunk) => {
        body += chunk
      })
      request.on('end', () => {
        received.push(`${request.method} ${request.url} ${body}`)
        response.end('{"status":0,"body":{}}')
      })
    },
  )
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready))
  const trusted = process.env.NODE_TLS_REJECT_UNAUTHORIZED
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0'
  cleanup.push(() => {
    if (trusted === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = trusted
    server.closeAllConnections()
    return new Promise((done) => server.close(done))
  })
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, received }
}

/** A plain HTTP server in Withings' place, answering every request with `handler`. */
async function withingsStandIn(
  handler: Parameters<typeof createServer>[1],
  { onConnection }: { onConnection?: (socket: Socket) => void } = {},
) {
  const server = createServer(handler)
  if (onConnection) server.on('connection', onConnection)
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready))
  cleanup.push(() => {
    server.closeAllConnections()
    return new Promise((done) => server.close(done))
  })
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

const ROADS = [
  ['Node', () => httpUpstream().fetch],
  ['the Web fetch', () => globalThis.fetch as UpstreamFetch],
] as const

const ask = (fetch: UpstreamFetch, url: string, maxBytes: number, timeoutMs = 2_000) =>
  outcome(postFormText({ fetch, timeoutMs }, `${url}/measure`, {}, { maxBytes }))

describe('answers larger than the relay reads', () => {
  /** A server answering a valid envelope padded to `bytes`. */
  const bigAnswers = (bytes: number) =>
    withingsStandIn((_, response) => {
      response.setHeader('content-type', 'application/json')
      response.end(`{"status":0,"body":{"pad":"${'x'.repeat(bytes)}"}}`)
    })

  test.each(ROADS)(
    'over %s: past the limit is upstream_error, under it the text',
    async (_, road) => {
      const { url } = await bigAnswers(200_000)
      expect(await ask(road(), url, 100_000)).toEqual({
        code: 'upstream_error',
        message: "Withings' answer is larger than 100000 bytes.",
        cause: true,
      })
      expect(await ask(road(), url, 300_000)).toBe('resolved')
    },
  )

  test.each(ROADS)(
    'over %s: an answer of exactly the limit is read whole, one byte more is not',
    async (_, road) => {
      const envelope = '{"status":0}'
      const { url } = await withingsStandIn((_, response) => response.end(envelope))
      const fetch = road()
      const options = { fetch, timeoutMs: 2_000 }
      expect(await postFormText(options, `${url}/measure`, {}, { maxBytes: 12 })).toBe(envelope)
      expect(await ask(fetch, url, 11)).toMatchObject({
        code: 'upstream_error',
        message: "Withings' answer is larger than 11 bytes.",
      })
    },
  )

  test.each(ROADS)(
    'over %s: an answer that never ends is cut at the limit, not waited for',
    async (_, road) => {
      const { url } = await withingsStandIn((_, response) => {
        response.writeHead(200, { 'content-type': 'application/json' })
        response.write(`{"status":0,"body":{"pad":"${'x'.repeat(4_096)}`)
      })
      // Waited for, it would end at the 60 s deadline, past the test's timeout, as a timeout.
      expect(await ask(road(), url, 1_000, 60_000)).toMatchObject({
        code: 'upstream_error',
        message: "Withings' answer is larger than 1000 bytes.",
      })
    },
  )

  test('a fetch that hands only text() is held to the same limit', async () => {
    const textOnly: UpstreamFetch = async () => ({ status: 200, text: async () => 'x'.repeat(65) })
    expect(await ask(textOnly, 'http://withings.invalid', 64)).toMatchObject({
      code: 'upstream_error',
      message: "Withings' answer is larger than 64 bytes.",
    })
  })
})

describe('what Withings is sent, and answers other than 200', () => {
  test.each(ROADS)(
    'over %s: a form POST that asks for JSON, with the headers given',
    async (_, road) => {
      const seen: Record<string, string | undefined>[] = []
      const { url } = await withingsStandIn((request, response) => {
        let body = ''
        request.on('data', (chunk) => {
          body += chunk
        })
        request.on('end', () => {
          seen.push({
            method: request.method,
            accept: request.headers.accept,
            authorization: request.headers.authorization,
            body,
          })
          response.end('{"status":0,"body":{}}')
        })
      })
      const options = { fetch: road(), timeoutMs: 2_000 }
      expect(
        await postForm(options, `${url}/notify`, { action: 'list' }, { authorization: 'Bearer t' }),
      ).toEqual({
        status: 0,
        body: {},
        error: undefined,
      })
      expect(seen).toEqual([
        {
          method: 'POST',
          accept: 'application/json',
          authorization: 'Bearer t',
          body: 'action=list',
        },
      ])
    },
  )

  test.each(ROADS)(
    'over %s: a redirect or a 4xx is upstream_error, never followed',
    async (_, road) => {
      const { url } = await withingsStandIn((request, response) => {
        if (request.url === '/moved') {
          response.writeHead(302, { location: '/elsewhere' })
          response.end()
        } else if (request.url === '/elsewhere') {
          response.end('{"status":0,"body":{}}')
        } else {
          response.writeHead(404, { 'content-type': 'text/html' })
          response.end('<h1>Not Found</h1>')
        }
      })
      const fetch = road()
      for (const [path, status] of [
        ['/moved', 302],
        ['/gone', 404],
      ] as const) {
        expect(
          await outcome(postFormText({ fetch, timeoutMs: 2_000 }, `${url}${path}`, {})),
        ).toEqual({
          code: 'upstream_error',
          message: `Withings answered HTTP ${status}.`,
          cause: false,
        })
      }
    },
  )
})
