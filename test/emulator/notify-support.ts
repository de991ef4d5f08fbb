import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Emulator, EmulatorOptions, Scheduler } from '../../relay/emulator/emulator'
import { type Listening, listen } from '../../relay/node/listen'
import { type Envelope, setup, signedIn } from './support'

// The Notify service over real HTTP: the emulator on 127.0.0.1, a real callback server beside
// it, and a scheduler that runs Withings' hours of retries in milliseconds.

export interface Received {
  method: string
  path: string
  contentType: string
  fields: Record<string, string>
}

export interface Answer {
  status: number
  /** Waits this long before answering. */
  delayMs?: number
}

export interface CallbackServer {
  url: string
  received: Received[]
  /** Only the POSTs, i.e. the notifications. */
  readonly posts: Received[]
  /** How to answer the next requests (default 204 at once). */
  answer: (request: Received) => Answer
  close(): Promise<void>
}

async function bodyOf(incoming: IncomingMessage): Promise<string> {
  let text = ''
  for await (const chunk of incoming) text += String(chunk)
  return text
}

export async function startCallbackServer(): Promise<CallbackServer> {
  const server = createServer(async (incoming, outgoing) => {
    const request: Received = {
      method: incoming.method ?? '',
      path: incoming.url ?? '',
      contentType: incoming.headers['content-type'] ?? '',
      fields: Object.fromEntries(new URLSearchParams(await bodyOf(incoming))),
    }
    callbacks.received.push(request)
    const { status, delayMs = 0 } = callbacks.answer(request)
    setTimeout(() => {
      if (!outgoing.destroyed) outgoing.writeHead(status).end()
    }, delayMs)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const callbacks: CallbackServer = {
    url: `http://127.0.0.1:${port}`,
    received: [],
    get posts() {
      return callbacks.received.filter((request) => request.method === 'POST')
    },
    answer: () => ({ status: 204 }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  return callbacks
}

/** Runs every wait `factor` times faster, and remembers the waits asked for. */
export function compressedScheduler(factor = 100_000): Scheduler & { delays: number[] } {
  const delays: number[] = []
  return {
    delays,
    after(delayMs, task) {
      delays.push(delayMs)
      const timer = setTimeout(task, delayMs / factor)
      return () => clearTimeout(timer)
    },
  }
}

export interface NotifyStack {
  emulator: Emulator
  emulatorUrl: string
  callbacks: CallbackServer
  scheduler: ReturnType<typeof compressedScheduler>
  close(): Promise<void>
}

export async function startNotifyStack(
  options: Partial<EmulatorOptions> = {},
): Promise<NotifyStack> {
  const scheduler = compressedScheduler()
  // random = 0: the shortest of Withings' random waits, so the schedule is known.
  const { emulator } = setup({ scheduler, random: () => 0, controlApi: true, ...options })
  const server: Listening = await listen(emulator.fetch, { hostname: '127.0.0.1' })
  const callbacks = await startCallbackServer()
  return {
    emulator,
    emulatorUrl: server.url,
    callbacks,
    scheduler,
    async close() {
      await emulator.notifications.settled()
      await Promise.all([server.close(), callbacks.close()])
    },
  }
}

/** `POST /notify` over HTTP with the person's access token. */
export async function notify(
  stack: NotifyStack,
  accessToken: string,
  params: Record<string, string>,
): Promise<Envelope> {
  const response = await fetch(`${stack.emulatorUrl}/notify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}` },
    body: new URLSearchParams(params),
  })
  expect200(response)
  return (await response.json()) as Envelope
}

function expect200(response: Response) {
  if (response.status !== 200) throw new Error(`HTTP ${response.status} from /notify`)
}

/** The demo user's access token with these scopes. */
export async function demoToken(stack: NotifyStack, scope: string): Promise<string> {
  return (await signedIn(stack.emulator, { mode: 'demo', scope })).access
}

/** `POST /_emulator/notify/events` over HTTP. */
export async function triggerEvent(stack: NotifyStack, event: Record<string, unknown>) {
  const response = await fetch(`${stack.emulatorUrl}/_emulator/notify/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}
