import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Stack, startStack } from '../support/stack'
import { distinctCounter, figuresFor } from './support/figures'

// Hostile bytes on the wire, below what any fetch client would send: malformed request lines,
// smuggling attempts, oversized heads, forged Host headers, paths out of the SPA's folder.
// Node's parser, the static files or the relay refuse each; none is a 5xx, nothing outside the
// SPA's folder is served, and the server keeps answering.

const OUTSIDE = 'canary-outside-the-spa-folder-81f2'

let stack: Stack
let port: number
beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'wl-wire-'))
  mkdirSync(join(root, 'dist'))
  writeFileSync(join(root, 'dist', 'index.html'), '<!doctype html><title>app</title>')
  writeFileSync(join(root, 'secret.txt'), OUTSIDE)
  stack = await startStack({ staticRoot: join(root, 'dist') })
  port = Number(new URL(stack.appUrl).port)
})
afterAll(() => stack?.close())

const STATE = JSON.stringify({ state: 's'.repeat(43) })
/** [name, bytes, the statuses that are right for it (none: closing without an answer is too)] */
const wireInputs = (appOrigin: string): [string, string, number[]][] => {
  const trusted = `Origin: ${appOrigin}\r\nX-Withings-Link: 1\r\nContent-Type: application/json\r\n`
  const post = (head: string, body = STATE) =>
    `POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\n${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  return [
    ['garbage', 'GARBAGE\r\n\r\n', [400]],
    ['no HTTP version', 'GET /api/healthz\r\n\r\n', [400, 200]],
    ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', [400, 505]],
    ['a header without a colon', 'GET /api/healthz HTTP/1.1\r\nHost: x\r\nbroken\r\n\r\n', [400]],
    ['a folded header', 'GET /api/healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n', [400, 200]],
    ['a NUL in the path', 'GET /api/he\0althz HTTP/1.1\r\nHost: x\r\n\r\n', [400]],
    ['a 20 KB URL', `GET /api/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, [404, 414, 431]],
    [
      'a 64 KB header',
      `GET /api/healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(65_536)}\r\n\r\n`,
      [431, 400],
    ],
    [
      'a 64 KB cookie',
      `POST /api/auth/refresh HTTP/1.1\r\nHost: x\r\n${trusted}Cookie: wl-session=${'c'.repeat(65_536)}\r\nContent-Length: 0\r\n\r\n`,
      [431, 400],
    ],
    [
      'Content-Length and Transfer-Encoding together',
      `POST /api/auth/login HTTP/1.1\r\nHost: x\r\n${trusted}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      [400],
    ],
    [
      'two different Content-Lengths',
      `POST /api/auth/login HTTP/1.1\r\nHost: x\r\n${trusted}Content-Length: 2\r\nContent-Length: 60\r\n\r\n{}`,
      [400],
    ],
    [
      'a negative Content-Length',
      `POST /api/auth/login HTTP/1.1\r\nHost: x\r\n${trusted}Content-Length: -1\r\n\r\n`,
      [400],
    ],
    [
      'a bad chunk size',
      `POST /api/auth/login HTTP/1.1\r\nHost: x\r\n${trusted}Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      [400],
    ],
    [
      'a chunked body past 4 KB',
      `POST /api/auth/login HTTP/1.1\r\nHost: x\r\n${trusted}Transfer-Encoding: chunked\r\n\r\n1400\r\n${'x'.repeat(5120)}\r\n0\r\n\r\n`,
      [413],
    ],
    [
      'a body shorter than its Content-Length',
      `POST /api/auth/login HTTP/1.1\r\nHost: x\r\n${trusted}Content-Length: 4000\r\n\r\n{"state":`,
      [],
    ],
    [
      'a forged Host with a matching Origin',
      `POST /api/auth/login HTTP/1.1\r\nHost: evil.example\r\nOrigin: http://evil.example\r\nX-Withings-Link: 1\r\nContent-Type: application/json\r\nContent-Length: ${STATE.length}\r\n\r\n${STATE}`,
      [403],
    ],
    [
      'an absolute-form target on another host',
      `POST http://evil.example/api/auth/login HTTP/1.1\r\nHost: evil.example\r\nOrigin: http://evil.example\r\nX-Withings-Link: 1\r\nContent-Type: application/json\r\nContent-Length: ${STATE.length}\r\n\r\n${STATE}`,
      [403, 400],
    ],
    ['HTTP/1.0 without Host', 'GET /api/healthz HTTP/1.0\r\n\r\n', [200]],
    ['HTTP/1.1 without Host', 'GET /api/healthz HTTP/1.1\r\n\r\n', [400, 200]],
    [
      'pipelined requests',
      'GET /api/healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /api/nope HTTP/1.1\r\nHost: x\r\n\r\n',
      [200],
    ],
    ['Expect: 100-continue', post(`${trusted}Expect: 100-continue\r\n`), [100, 204]],
    [
      'a header name with UTF-8',
      `GET /api/healthz HTTP/1.1\r\nHost: x\r\nX-\u00e9: 1\r\n\r\n`,
      [400],
    ],
    ...[
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/%2e%2e%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/%5c..%5csecret.txt',
      '/..\\secret.txt',
      '/index.html%00.js',
    ].map((path): [string, string, number[]] => [
      `a path out of the SPA folder: ${path}`,
      `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`,
      [400, 404],
    ]),
    ['a bad percent-encoding', 'GET /%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n', [200, 400, 404]],
    [
      'a header cut mid-way, then the end',
      'GET /api/healthz HTTP/1.1\r\nHost: x\r\nX-Cut: ',
      [400],
    ],
  ]
}

/** Writes the bytes, then reads until the server closes or goes quiet. */
function send(
  bytes: string,
  halfClose: boolean,
): Promise<{ status: number | null; answer: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let answer = ''
    const done = () => {
      socket.destroy()
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(answer)
      resolve({ status: status ? Number(status[1]) : null, answer })
    }
    socket.setTimeout(1_000, done)
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1')
    })
    socket.on('end', done)
    socket.on('error', done)
    // The end of the input is the end of the connection only where the input says so.
    socket.write(bytes, 'latin1', () => (halfClose ? socket.end() : undefined))
  })
}

describe('hostile bytes on the wire', () => {
  test('each is refused (or served) without a 5xx, and the server keeps answering', async ({
    task,
  }) => {
    const figures = figuresFor(task)
    const count = distinctCounter(figures)
    // All at once, each on its own connection: a connection is only done when it goes quiet.
    const inputs = wireInputs(stack.appUrl)
    const answers = await Promise.all(
      inputs.map(([name, bytes]) => {
        count(bytes)
        return send(bytes, name.endsWith('then the end'))
      }),
    )
    const wrong: string[] = []
    for (const [index, { status, answer }] of answers.entries()) {
      const [name, , right] = inputs[index] ?? ['', '', []]
      if (status !== null && status >= 500) figures.crashes++
      if (answer.includes(OUTSIDE)) figures.leaks++
      if (status === null ? right.length > 0 : !right.includes(status)) {
        wrong.push(`${name}: ${status ?? 'no answer'}`)
      }
    }
    const health = await fetch(`${stack.appUrl}/api/healthz`).catch(() => undefined)
    if (health?.status !== 200) figures.crashes++
    expect(wrong).toEqual([])
    expect({ crashes: figures.crashes, leaks: figures.leaks }).toEqual({ crashes: 0, leaks: 0 })
  })
})
