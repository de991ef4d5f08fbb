import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { Webhook } from 'standardwebhooks'

// The app's webhook receiver, for tests: a real HTTP server on loopback that verifies every
// delivery with the `standardwebhooks` package (the specification's own library) and keeps what
// it got. Its behaviour is switched by the test: answer 2xx, another status, a redirect, never
// answer, or be down (its port closed: connections refused), and back.

export interface Delivery {
  id: string
  timestamp: number
  type: string
  data: { userid: number; records?: Record<string, unknown>[] } & Record<string, unknown>
  /** When the event was stored, as its body says. */
  at: string
  body: string
}

export type ReceiverMode =
  | { answer: 'ok' }
  | { answer: 'status'; status: number; body?: string }
  | { answer: 'redirect' }
  | { answer: 'hang' }

export interface Receiver {
  url: string
  /** Each verified delivery, in the order received (retries of one event included). */
  deliveries: Delivery[]
  /** Deliveries whose signature or timestamp did not verify (none, in a passing test). */
  refused: { reason: string; headers: Record<string, string | undefined> }[]
  /** The deliveries answered 2xx, one per webhook-id (the first). */
  accepted(): Delivery[]
  /** Every webhook-id received more than once (a retry of one the receiver took). */
  repeatedIds(): string[]
  answer(mode: ReceiverMode): void
  /** Closes the port: deliveries find no one (connection refused). */
  down(): Promise<void>
  /** Listens again on the same port. */
  up(): Promise<void>
  close(): Promise<void>
}

export async function startReceiver(
  secret: string,
  {
    now,
    port: fixedPort = 0,
  }: {
    /** The senders' clock, when a test moves it: timestamps are checked against it. */
    now?: () => number
    port?: number
  } = {},
): Promise<Receiver> {
  const webhook = new Webhook(secret)
  const deliveries: Delivery[] = []
  const refused: Receiver['refused'] = []
  const okIds = new Set<string>()
  let mode: ReceiverMode = { answer: 'ok' }
  const sockets = new Set<Socket>()
  let server: Server | undefined
  let port = fixedPort

  const verify = (body: string, headers: Record<string, string>) => {
    if (!now) return webhook.verify(body, headers)
    // The package checks the timestamp against this process's real clock; against a moved
    // clock, the test checks it, and the package's own signer checks the signatures.
    const timestamp = Number(headers['webhook-timestamp'])
    if (Math.abs(now() / 1000 - timestamp) > 300) throw new Error('timestamp outside tolerance')
    const expected = webhook.sign(headers['webhook-id'] ?? '', new Date(timestamp * 1000), body)
    if (!(headers['webhook-signature'] ?? '').split(' ').includes(expected)) {
      throw new Error('no matching signature')
    }
    return JSON.parse(body)
  }

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const body = Buffer.concat(chunks).toString('utf8')
    const headers = {
      'webhook-id': request.headers['webhook-id'],
      'webhook-timestamp': request.headers['webhook-timestamp'],
      'webhook-signature': request.headers['webhook-signature'],
    } as Record<string, string>
    let payload: { type: string; timestamp: string; data: Delivery['data'] }
    try {
      payload = verify(body, headers)
    } catch (error) {
      refused.push({ reason: (error as Error).message, headers })
      response.writeHead(400).end()
      return
    }
    const delivery = {
      id: headers['webhook-id'] ?? '',
      timestamp: Number(headers['webhook-timestamp']),
      type: payload.type,
      data: payload.data,
      at: payload.timestamp,
      body,
    }
    deliveries.push(delivery)
    if (mode.answer === 'hang') return
    if (mode.answer === 'redirect') {
      response.writeHead(307, { location: 'http://127.0.0.1:9/elsewhere' }).end()
      return
    }
    if (mode.answer === 'status') {
      response.writeHead(mode.status).end(mode.body ?? '')
      return
    }
    okIds.add(delivery.id)
    response.writeHead(204).end()
  }

  async function up() {
    server = createServer((request, response) => {
      handle(request, response).catch(() => response.destroy())
    })
    server.on('connection', (socket) => {
      sockets.add(socket)
      socket.once('close', () => sockets.delete(socket))
    })
    await new Promise<void>((resolve, reject) => {
      server?.once('error', reject)
      server?.listen(port, '127.0.0.1', () => resolve())
    })
    port = (server.address() as AddressInfo).port
  }

  async function down() {
    const closing = server
    server = undefined
    if (!closing) return
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => closing.close(resolve))
  }

  await up()
  return {
    url: `http://127.0.0.1:${port}/withings/webhooks`,
    deliveries,
    refused,
    accepted: () => {
      const first = new Map<string, Delivery>()
      for (const delivery of deliveries) {
        if (okIds.has(delivery.id) && !first.has(delivery.id)) first.set(delivery.id, delivery)
      }
      return [...first.values()]
    },
    repeatedIds: () => {
      const seen = new Map<string, number>()
      for (const { id } of deliveries) seen.set(id, (seen.get(id) ?? 0) + 1)
      return [...seen].filter(([, count]) => count > 1).map(([id]) => id)
    },
    answer: (next) => {
      mode = next
    },
    down,
    up,
    close: down,
  }
}

/** A `whsec_` secret of 32 random bytes, as the docs say to make one. */
export function webhookSecret(): string {
  return `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64')}`
}
