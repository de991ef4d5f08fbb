import { describe, expect, test } from 'vitest'
import { nodeRawConnection } from '../../relay/node/raw-connection'

// The emulator's connection faults on Node reach the socket only through @hono/node-server's
// bindings; called any other way (in process, another runtime) they decline, and the emulator
// falls back to failing the request itself.

describe('nodeRawConnection', () => {
  test.each([
    ['no bindings', undefined],
    ['null', null],
    ['a string', 'incoming'],
    ['bindings without a request', {}],
    ['a request that is not Node’s', { incoming: { socket: {} } }],
    ['a null request', { incoming: null }],
  ])('with %s it declines, touching nothing', (_, env) => {
    expect(nodeRawConnection.reset(env)).toBeUndefined()
    expect(nodeRawConnection.endWith(env, 'HTTP/1.1 200 OK')).toBeUndefined()
  })
})
