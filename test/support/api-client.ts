import { pagePost } from './page-post'

/**
 * Calls the relay over HTTP the way the SPA's page does: JSON, the custom header, the app's
 * Origin, and a cookie jar that keeps what the relay sets (Secure cookies count on localhost,
 * as in Chromium). `send` is the fetch it goes through (test/support/fetch-from.ts: another client).
 */
export function createApiClient(
  baseUrl: string,
  { origin = baseUrl, send = fetch }: { origin?: string; send?: typeof fetch } = {},
) {
  const jar = new Map<string, string>()

  function keep(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim())
      const separator = pair.indexOf('=')
      const name = pair.slice(0, separator)
      const value = pair.slice(separator + 1)
      const expired = attributes.some((attribute) => /^max-age=0$/i.test(attribute))
      if (expired || value === '') jar.delete(name)
      else jar.set(name, value)
    }
  }

  async function request(path: string, init: RequestInit & { base?: string } = {}) {
    const headers = new Headers(init.headers)
    if (jar.size > 0 && !headers.has('cookie')) {
      headers.set('cookie', [...jar].map(([name, value]) => `${name}=${value}`).join('; '))
    }
    const response = await send(`${init.base ?? baseUrl}${path}`, { ...init, headers })
    keep(response)
    return response
  }

  /**
   * `fetch` as the app's page calls it: a relative URL resolves against the page, the Origin goes
   * along with every request but GET and HEAD (as browsers send it), and the jar's cookies too.
   */
  const pageFetch: typeof fetch = (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : input, baseUrl)
    const headers = new Headers(init.headers)
    const method = init.method?.toUpperCase() ?? 'GET'
    if (method !== 'GET' && method !== 'HEAD') headers.set('origin', origin)
    return request(url.href, { ...init, headers, base: '' })
  }

  return {
    baseUrl,
    jar,
    request,
    fetch: pageFetch,
    /** A POST as the SPA makes it. */
    post(
      path: string,
      body?: unknown,
      init: { base?: string; headers?: Record<string, string> } = {},
    ) {
      return request(path, { ...pagePost(origin, body, init.headers), base: init.base ?? baseUrl })
    },
  }
}

export type ApiClient = ReturnType<typeof createApiClient>
