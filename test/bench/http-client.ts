import { Agent, type IncomingHttpHeaders, request } from 'node:http'

// The load generator's HTTP: node:http over keep-alive connections. It costs the benchmark
// process far less CPU per request than fetch, and on two shared cores every cycle the client
// spends is one the servers under test do not get.

export interface HttpAnswer {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

export interface HttpRequest {
  method?: string
  headers?: Record<string, string>
  body?: string
}

export interface HttpClient {
  send(path: string, init?: HttpRequest): Promise<HttpAnswer>
  close(): void
}

/** A client for one origin, with at most `connections` sockets, each kept alive between calls. */
export function createHttpClient(origin: string, { connections = 1 } = {}): HttpClient {
  const { hostname, port } = new URL(origin)
  const agent = new Agent({ keepAlive: true, maxSockets: connections })
  const send: HttpClient['send'] = (path, init = {}) =>
    once(path, init).catch((error: Error & { code?: string; reusedSocket?: boolean }) => {
      // A server may close a kept-alive connection just as the next request goes out on it
      // (workerd does, after a short idle): that request never reached it, so send it again.
      if (error.reusedSocket && error.code === 'ECONNRESET') return once(path, init)
      throw error
    })
  const once = (path: string, { method = 'GET', headers = {}, body }: HttpRequest) =>
    new Promise<HttpAnswer>((resolve, reject) => {
      const sent = request(
        {
          agent,
          hostname,
          port,
          path,
          method,
          headers:
            body === undefined
              ? headers
              : { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          let text = ''
          response.setEncoding('utf8')
          response.on('data', (chunk: string) => {
            text += chunk
          })
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }),
          )
          response.on('error', reject)
        },
      )
      sent.on('error', (error) => reject(Object.assign(error, { reusedSocket: sent.reusedSocket })))
      sent.end(body)
    })
  return { send, close: () => agent.destroy() }
}

/** A cookie's value from an answer's Set-Cookie headers, if it sets that cookie. */
export function setCookieValue(answer: HttpAnswer, name: string): string | undefined {
  for (const line of answer.headers['set-cookie'] ?? []) {
    if (line.startsWith(`${name}=`)) return line.slice(name.length + 1).split(';')[0]
  }
  return undefined
}
