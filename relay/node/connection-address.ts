import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context } from 'hono'
import type { ConnectionAddress } from '../core/http/client-address'

/**
 * The connection's peer address on Node, for createRelay's rate limits (`connectionAddress`).
 * The relay receives Node's bindings as its env; without them (app.request) it is unknown.
 */
export const nodeConnectionAddress: ConnectionAddress = (c: Context) => {
  try {
    return getConnInfo(c).remote.address
  } catch {
    return undefined
  }
}
