// Reading request parameters the way wbsapi does: a form-encoded (or multipart) body, and for
// the data services also the query string. Bodies are bounded: this is a test double, not a sink.

const MAX_BODY_BYTES = 64 * 1024

/** The form body of a POST; anything that is not a form counts as no parameters at all. */
export async function readFormBody(request: Request): Promise<URLSearchParams> {
  if (request.method !== 'POST') return new URLSearchParams()
  const type = (request.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase()
  if (type === 'application/x-www-form-urlencoded') {
    const text = await request.text()
    return new URLSearchParams(text.length > MAX_BODY_BYTES ? '' : text)
  }
  if (type === 'multipart/form-data') {
    const form = await request.formData().catch(() => undefined)
    const params = new URLSearchParams()
    for (const [name, value] of form ?? []) {
      if (typeof value === 'string') params.append(name, value)
    }
    return params
  }
  return new URLSearchParams()
}

/** Query parameters overlaid with body parameters (the body wins). */
export async function readQueryAndBody(request: Request): Promise<URLSearchParams> {
  const merged = new URLSearchParams(new URL(request.url).search)
  for (const [name, value] of await readFormBody(request)) merged.set(name, value)
  return merged
}

/** A stable text for "the same arguments": every parameter, sorted. */
export function canonical(params: URLSearchParams): string {
  const sorted = new URLSearchParams(params)
  sorted.sort()
  return sorted.toString()
}
