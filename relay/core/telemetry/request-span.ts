import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type Tracer,
} from '@opentelemetry/api'
import type { MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'

// The span of each request to the relay, a child of the caller's trace when a traceparent says
// so. Written here rather than taken from @hono/otel, which records `url.full`: the notification
// callback's path carries its token. This one records the method, the route pattern (the
// callback's is `…/:token`), the status and the scheme, nothing of the path or the query.

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
}

export function requestSpan(tracer: Tracer): MiddlewareHandler {
  return function requestSpan(c, next) {
    const method = c.req.method
    const parent = propagation.extract(context.active(), c.req.raw.headers, headerGetter)
    const attributes = {
      'http.request.method': method,
      'url.scheme': new URL(c.req.url).protocol.replace(':', ''),
    }
    return tracer.startActiveSpan(
      method,
      { kind: SpanKind.SERVER, attributes },
      parent,
      async (span) => {
        try {
          await next()
        } finally {
          // The last matched route is the one the request was for, even when a guard refused it.
          const route = routePath(c, -1)
          span.updateName(`${method} ${route}`)
          span.setAttributes({ 'http.route': route, 'http.response.status_code': c.res.status })
          if (c.res.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR })
          span.end()
        }
      },
    )
  }
}
