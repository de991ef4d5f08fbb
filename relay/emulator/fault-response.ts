import { envelopeResponse, statusFamily } from './envelope-answers'
import type { Fault, FaultSwitchboard } from './faults'

// What each fault does to one HTTP exchange. Connection-level faults need the connection itself,
// which only the runtime can hand over (Node's: relay/node/raw-connection.ts, an emulator option);
// without it (app.request in tests) a reset makes fetch reject and a truncation makes reading the
// body fail.

/** The connection under one request, from the runtime that serves the emulator. */
export interface RawConnection {
  /**
   * Destroys the connection, answering nothing. Returns what to hand the server instead of an
   * answer, or undefined when this request has no connection of its own (then nothing happened).
   */
  reset(env: unknown): Response | undefined
  /** Writes `bytes` to the connection as they are and ends it; undefined as for `reset`. */
  endWith(env: unknown, bytes: string): Response | undefined
}

/** Thrown for `reset` when there is no socket; the app rethrows it so `fetch` rejects. */
export class ConnectionDropped extends Error {
  constructor(message = 'Emulator fault: connection reset') {
    super(message)
    this.name = 'ConnectionDropped'
  }
}

const DEFAULT_WAIT_SECONDS = 10

const HTTP_REASONS: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
}

const TRUNCATED_PREFIX = {
  token: '{"status":0,"body":{"userid":363,"access_token":"a075f8c14fb8',
  data: '{"status":0,"body":{"updatetime":1594257200,"timezone":"Europe/Paris","measuregrps":[{"grpid":',
} as const

export const delay = (ms: number): Promise<void> =>
  ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve()

function faultResponse(
  fault: Exclude<Fault, { type: 'delay' }>,
  route: 'token' | 'data',
  env: unknown,
  connection: RawConnection | undefined,
): Response {
  switch (fault.type) {
    case 'http': {
      const title = `${fault.status} ${HTTP_REASONS[fault.status] ?? 'Error'}`
      return new Response(
        `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`,
        { status: fault.status, headers: { 'content-type': 'text/html' } },
      )
    }
    case 'status': {
      const body = { ...fault.body }
      if (fault.status === 601 && typeof body.wait_seconds !== 'number') {
        body.wait_seconds = DEFAULT_WAIT_SECONDS
      }
      return envelopeResponse({
        status: fault.status,
        body,
        error: fault.error ?? statusFamily(fault.status),
      })
    }
    case 'broken-json':
      return new Response('{"status":0,"body":{]}<br />\n<b>Warning</b>', {
        status: 200,
        headers: { 'content-type': 'application/json' },
      })
    case 'truncated':
      return truncated(TRUNCATED_PREFIX[route], env, connection)
    case 'reset': {
      const sent = connection?.reset(env)
      if (!sent) throw new ConnectionDropped()
      return sent
    }
  }
}

function truncated(prefix: string, env: unknown, connection: RawConnection | undefined): Response {
  // Written by hand so the promised Content-Length is never met: the client sees the headers,
  // part of the body, then the end of the connection.
  const written = connection?.endWith(
    env,
    `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${prefix.length + 512}\r\nConnection: close\r\n\r\n${prefix}`,
  )
  if (written) return written
  let sent = false
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) {
        controller.error(new ConnectionDropped('Emulator fault: connection closed mid-body'))
        return
      }
      sent = true
      controller.enqueue(new TextEncoder().encode(prefix))
    },
  })
  return new Response(body, { status: 200, headers: { 'content-type': 'application/json' } })
}

/** Runs the armed faults for one request: the response to send instead, or undefined to go on. */
export async function applyFaults(
  faults: FaultSwitchboard,
  route: 'token' | 'data',
  env: unknown,
): Promise<Response | undefined> {
  const plan = faults.take(route)
  await delay(plan.delayMs)
  if (!plan.fault || plan.fault.type === 'delay') return undefined
  return faultResponse(plan.fault, route, env, faults.connection)
}
