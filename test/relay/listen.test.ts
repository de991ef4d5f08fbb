import { afterEach, describe, expect, test } from 'vitest'
import { type Listening, lateHandler, listen } from '../../relay/node/listen'

// How Node serves a fetch handler (withings-link/node's `listen`): the URL it says, and what
// a server answers before its real handler exists.

const servers: Listening[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

describe('listen', () => {
  test.each([
    ['127.0.0.1', /^http:\/\/127\.0\.0\.1:\d+$/],
    ['::1', /^http:\/\/\[::1\]:\d+$/],
  ])('on %s: a URL that reaches it', async (hostname, shape) => {
    const server = await listen(() => new Response('here'), { hostname })
    servers.push(server)
    expect(server.url).toMatch(shape)
    expect(server.url.endsWith(`:${server.port}`)).toBe(true)
    expect(await (await fetch(server.url)).text()).toBe('here')
  })
})

describe('lateHandler', () => {
  test('answers 503 "Starting…" until its handler is served, then only that one', async () => {
    const late = lateHandler()
    const server = await listen(late.fetch)
    servers.push(server)
    const early = await fetch(server.url)
    expect(early.status).toBe(503)
    expect(early.headers.get('retry-after')).toBe('1')
    expect(await early.text()).toBe('Starting…')
    late.serve(() => new Response('ready'))
    expect(await (await fetch(server.url)).text()).toBe('ready')
  })
})
