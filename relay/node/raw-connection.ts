import { IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import type { RawConnection } from '../emulator/fault-response'

// The emulator's connection faults on Node: @hono/node-server hands each request's socket over
// as `env.incoming.socket`, and takes RESPONSE_ALREADY_SENT as "the answer went out another way".

export const nodeRawConnection: RawConnection = {
  reset(env) {
    const socket = socketOf(env)
    if (!socket) return undefined
    socket.destroy()
    return RESPONSE_ALREADY_SENT
  },
  endWith(env, bytes) {
    const socket = socketOf(env)
    if (!socket) return undefined
    socket.end(bytes)
    return RESPONSE_ALREADY_SENT
  },
}

/** `env.incoming.socket`, if this request came through @hono/node-server. */
function socketOf(env: unknown): Socket | undefined {
  if (typeof env !== 'object' || env === null || !('incoming' in env)) return undefined
  return env.incoming instanceof IncomingMessage ? env.incoming.socket : undefined
}
