import { type IncomingMessage, request } from 'node:http'
import type { ApiClient } from './api-client'

// The person's live stream (`GET /api/events`) read over real HTTP as a browser's EventSource
// reads it: frames split on blank lines, fields by name, comments kept apart. Over node:http
// rather than fetch, so that closing it drops the connection at once, as a closed tab does
// (fetch keeps reading an aborted body for a while to reuse its connection).

export interface LiveFrame {
  event: string
  data: string
  id: string | undefined
  retry: number | undefined
}

export interface LiveStream {
  status: number
  headers: Headers
  /** The body of an answer that is no stream (errors are JSON). */
  json(): Promise<{ error: { code: string; message: string } }>
  /** Every event frame so far (not comments). */
  frames: LiveFrame[]
  comments: string[]
  /** Resolves once the server ended the stream (or it was closed). */
  ended: Promise<void>
  /** Waits for the next frame matching `matches` (from the ones already read, too). */
  next(matches?: (frame: LiveFrame) => boolean, timeoutMs?: number): Promise<LiveFrame>
  /** The notifications' data, parsed. */
  notifications(): unknown[]
  close(): void
}

export async function openLiveStream(
  api: ApiClient,
  {
    base,
    path = '/api/events',
    headers = {},
  }: {
    base?: string
    path?: string
    /** Beside a browser's own; `undefined` leaves one out (Sec-Fetch-Site: same-origin by default). */
    headers?: Record<string, string | undefined>
  } = {},
): Promise<LiveStream> {
  const url = new URL(path, base ?? api.baseUrl)
  const cookie = [...api.jar].map(([name, value]) => `${name}=${value}`).join('; ')
  const outgoing = request(url, {
    headers: Object.fromEntries(
      Object.entries({
        accept: 'text/event-stream',
        'sec-fetch-site': 'same-origin',
        ...(cookie && { cookie }),
        ...headers,
      }).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
  })
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    outgoing.once('response', resolve)
    outgoing.once('error', reject)
    outgoing.end()
  })
  outgoing.on('error', () => {})
  const status = response.statusCode ?? 0
  const answerHeaders = new Headers()
  for (const [name, value] of Object.entries(response.headers)) {
    if (typeof value === 'string') answerHeaders.set(name, value)
  }
  const isStream = answerHeaders.get('content-type')?.startsWith('text/event-stream') ?? false

  const frames: LiveFrame[] = []
  const comments: string[] = []
  const waiters = new Set<() => void>()
  const wake = () => {
    for (const waiter of waiters) waiter()
  }
  let done = false
  let text = ''
  const ended = (async () => {
    const decoder = new TextDecoder()
    let buffer = ''
    try {
      for await (const chunk of response) {
        const part = decoder.decode(chunk, { stream: true })
        if (!isStream) {
          text += part
          continue
        }
        buffer += part
        let end = buffer.indexOf('\n\n')
        while (end >= 0) {
          parseBlock(buffer.slice(0, end), frames, comments)
          buffer = buffer.slice(end + 2)
          end = buffer.indexOf('\n\n')
        }
        wake()
      }
    } catch {
      // closed by close()
    } finally {
      done = true
      wake()
    }
  })()

  return {
    status,
    headers: answerHeaders,
    async json() {
      await ended
      return JSON.parse(text)
    },
    frames,
    comments,
    ended,
    async next(matches = () => true, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs
      let seen = 0
      for (;;) {
        const found = frames.slice(seen).find(matches)
        if (found) return found
        seen = frames.length
        if (done) throw new Error(`the stream ended; frames: ${JSON.stringify(frames)}`)
        const left = deadline - Date.now()
        if (left <= 0) {
          throw new Error(`no such frame within ${timeoutMs} ms: ${JSON.stringify(frames)}`)
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left)
          const waiter = () => {
            clearTimeout(timer)
            waiters.delete(waiter)
            resolve()
          }
          waiters.add(waiter)
        })
      }
    },
    notifications: () =>
      frames.filter((frame) => frame.event === 'notify').map((frame) => JSON.parse(frame.data)),
    close: () => outgoing.destroy(),
  }
}

function parseBlock(block: string, frames: LiveFrame[], comments: string[]) {
  const frame: LiveFrame = { event: 'message', data: '', id: undefined, retry: undefined }
  let hasData = false
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      comments.push(line.slice(1).trim())
      continue
    }
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
    if (field === 'event') frame.event = value
    else if (field === 'data') {
      frame.data = hasData ? `${frame.data}\n${value}` : value
      hasData = true
    } else if (field === 'id') frame.id = value
    else if (field === 'retry') frame.retry = Number(value)
  }
  if (hasData) frames.push(frame)
}
