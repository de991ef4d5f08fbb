import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WRONG_HOST_MESSAGE } from '../../relay/emulator/host-check'
import { type Listening, listen } from '../../relay/node/listen'
import { setup } from './support'

// A DNS-rebinding page reaches the emulator's socket under its own name: the browser sends
// `Host: evil.example`. Only loopback names get an answer, over real HTTP.

let server: Listening

beforeAll(async () => {
  server = await listen(setup({ controlApi: true }).emulator.fetch, { hostname: '127.0.0.1' })
})
afterAll(() => server.close())

/** GET `path` on the emulator's socket with this Host header (fetch would not let us set it). */
function get(path: string, host: string): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { host: '127.0.0.1', port: server.port, path, method: 'GET', headers: { host } },
      (incoming) => {
        let text = ''
        incoming.setEncoding('utf8')
        incoming.on('data', (chunk: string) => {
          text += chunk
        })
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            type: incoming.headers['content-type'] ?? '',
            text,
          }),
        )
      },
    )
    outgoing.on('error', reject)
    outgoing.end()
  })
}

describe('Host check', () => {
  it.each(['localhost', '127.0.0.1', '[::1]', 'LOCALHOST'])(
    'answers %s, with any port',
    async (name) => {
      expect((await get('/', `${name}:${server.port}`)).status).toBe(200)
      expect((await get('/', `${name}:1`)).status).toBe(200)
      expect((await get('/', name)).status).toBe(200)
    },
  )

  it.each(['evil.example', 'localhost.evil.example', '127.0.0.1.nip.io', '[::2]', '10.0.0.1'])(
    'refuses %s with 421 and a plain sentence, on every route',
    async (name) => {
      for (const path of ['/', '/_emulator/requests', '/oauth2_user/authorize2', '/v2/oauth2']) {
        const answer = await get(path, `${name}:${server.port}`)
        expect(answer.status).toBe(421)
        expect(answer.type).toMatch(/^text\/plain/)
        expect(answer.text).toBe(WRONG_HOST_MESSAGE)
      }
    },
  )

  it('checks an absolute request target as well as the Host header', async () => {
    const loopback = `http://127.0.0.1:${server.port}/_emulator/requests`
    expect((await get(loopback, `localhost:${server.port}`)).status).toBe(200)
    expect((await get(loopback, 'evil.example')).status).toBe(421)
    expect((await get('http://evil.example/_emulator/requests', '127.0.0.1')).status).toBe(421)
  })

  it('answers fetch on its own URL', async () => {
    expect((await fetch(`${server.url}/`)).status).toBe(200)
  })
})
