import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Stack, startStack } from '../support/stack'
import { SPA_DIR } from './support/paths'

// The SPA's JavaScript travels compressed: the build writes .br and .gz twins, the Node server
// picks the one the browser accepts, and says so to caches (Vary).

let stack: Stack
beforeAll(async () => {
  stack = await startStack({ staticRoot: SPA_DIR })
})
afterAll(() => stack?.close())

const entry = () => {
  const file = readdirSync(join(SPA_DIR, 'assets')).find((name) => /^index-.*\.js$/.test(name))
  if (!file) throw new Error('no entry chunk in the build')
  return file
}

/** Raw bytes as they come off the wire (node:http, so nothing decodes them on the way). */
async function wire(path: string, acceptEncoding: string) {
  const { request } = await import('node:http')
  return new Promise<{ encoding: string | undefined; vary: string | undefined; bytes: number }>(
    (resolve, reject) => {
      const url = new URL(path, stack.appUrl.replace('localhost', '127.0.0.1'))
      request(url, { headers: { 'accept-encoding': acceptEncoding } }, (response) => {
        let bytes = 0
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.byteLength
        })
        response.on('end', () =>
          resolve({
            encoding: response.headers['content-encoding'],
            vary: response.headers.vary,
            bytes,
          }),
        )
      })
        .on('error', reject)
        .end()
    },
  )
}

describe('compressed assets', () => {
  test.each([
    ['br', 'gzip, deflate, br'],
    ['gzip', 'gzip, deflate'],
  ])('%s when the browser accepts it, a fraction of the raw size', async (encoding, accepted) => {
    const file = entry()
    const raw = statSync(join(SPA_DIR, 'assets', file)).size
    const answer = await wire(`/assets/${file}`, accepted)
    expect(answer.encoding).toBe(encoding)
    expect(answer.vary).toMatch(/Accept-Encoding/i)
    expect(answer.bytes).toBeLessThan(raw / 3)
  })

  test('raw for a client that accepts no encoding', async () => {
    const file = entry()
    const answer = await wire(`/assets/${file}`, 'identity')
    expect(answer.encoding).toBeUndefined()
    expect(answer.bytes).toBe(statSync(join(SPA_DIR, 'assets', file)).size)
  })
})
