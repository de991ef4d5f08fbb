import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { AnswerTooLarge, type UpstreamAnswer, type UpstreamFetch } from '../core/withings/upstream'

// The relay's road to Withings on Node: node:http(s) over kept-alive connections. Node's fetch
// builds a Request, a Response and a stream for each body, several hundred microseconds of CPU
// a call, more than the relay's own work on a refresh (profiled under `npm run bench`). This
// does only what the relay asks (relay/withings/upstream.ts): one form POST, status and text.

/** Idle connections close before the usual 5 s server-side keep-alive ends (undici's default). */
const IDLE_MS = 4_000

export interface HttpUpstream {
  fetch: UpstreamFetch
  /** Closes the kept-alive connections. */
  close(): void
}

export function createHttpUpstream(): HttpUpstream {
  const agents = {
    http: new HttpAgent({ keepAlive: true, timeout: IDLE_MS }),
    https: new HttpsAgent({ keepAlive: true, timeout: IDLE_MS }),
  }
  return {
    fetch(url, { method, headers, body, signal, maxBytes }) {
      const target = new URL(url)
      const form = body.toString()
      return send(target, {
        method,
        // What fetch sends for a URLSearchParams body.
        headers: {
          'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
          'content-length': String(Buffer.byteLength(form)),
          ...headers,
        },
        body: form,
        signal,
        maxBytes,
        agent: target.protocol === 'https:' ? agents.https : agents.http,
      })
    },
    close() {
      agents.http.destroy()
      agents.https.destroy()
    },
  }
}

interface Outgoing {
  method: string
  headers: Record<string, string>
  body: string
  signal: AbortSignal
  maxBytes: number
  agent: HttpAgent
}

/**
 * Resolves when the answer's head arrives, as fetch does; its text follows. Aborting the signal
 * ends the request wherever it is, head or body, with the signal's reason.
 */
function send(url: URL, { method, headers, body, signal, maxBytes, agent }: Outgoing) {
  return new Promise<UpstreamAnswer>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason)
      return
    }
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest
    const outgoing = request(url, { method, headers, agent }, (incoming) => {
      const text = readText(incoming, maxBytes)
      // The caller hears of a cut answer from text(); until it asks, nobody else should.
      text.catch(() => {})
      resolve({ status: incoming.statusCode ?? 0, text: () => text })
    })
    const abort = () => outgoing.destroy(signal.reason)
    signal.addEventListener('abort', abort, { once: true })
    outgoing.on('close', () => signal.removeEventListener('abort', abort))
    outgoing.on('error', reject)
    outgoing.end(body)
  })
}

/** The body as text; past `maxBytes` the connection is dropped rather than read on. */
function readText(incoming: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let received = 0
    incoming.on('data', (chunk: Buffer) => {
      received += chunk.byteLength
      if (received > maxBytes) {
        reject(new AnswerTooLarge(maxBytes))
        incoming.destroy()
        return
      }
      chunks.push(chunk)
    })
    incoming.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    incoming.on('error', reject)
    // A connection that ends before the promised length leaves the answer incomplete.
    incoming.on('close', () => {
      if (!incoming.complete)
        reject(new Error('The connection closed in the middle of the answer.'))
    })
  })
}
