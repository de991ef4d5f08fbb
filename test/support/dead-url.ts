import { listen } from '../../relay/node/listen'

/** A loopback URL nothing listens on any more: connections to it are refused. */
export async function deadUrl(): Promise<string> {
  const server = await listen(() => new Response(null))
  await server.close()
  return server.url
}
