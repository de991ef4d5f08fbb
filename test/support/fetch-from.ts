import { type IncomingHttpHeaders, request } from 'node:http'

/**
 * `fetch` from one local address (any of 127.0.0.0/8): another client, as a server on loopback
 * sees it, for limits counted by the client's address. Over node:http, since fetch cannot choose
 * its source address; one connection per request.
 */
export function fetchFrom(localAddress: string): typeof fetch {
  return async (input, init) => {
    const sent = new Request(input, init)
    const body = sent.body ? Buffer.from(await sent.arrayBuffer()) : undefined
    return new Promise<Response>((resolve, reject) => {
      const outgoing = request(
        sent.url,
        {
          method: sent.method,
          headers: Object.fromEntries(sent.headers),
          localAddress,
          agent: false,
        },
        (incoming) => {
          const chunks: Buffer[] = []
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
          incoming.on('error', reject)
          incoming.on('end', () => {
            const status = incoming.statusCode ?? 0
            const bytes = Buffer.concat(chunks)
            const empty = status === 204 || status === 304 || bytes.byteLength === 0
            resolve(
              new Response(empty ? null : bytes, { status, headers: headersOf(incoming.headers) }),
            )
          })
        },
      )
      outgoing.on('error', reject)
      outgoing.end(body)
    })
  }
}

function headersOf(incoming: IncomingHttpHeaders): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(incoming)) {
    for (const each of [value ?? []].flat()) headers.append(name, each)
  }
  return headers
}
