import { Hono } from 'hono'
import { type FaultSwitchboard, parseFaultRequest } from './faults'
import type { RecordingRequestLog } from './recorded-requests'

// JSON switches for another process (benchmarks, manual testing) — only mounted with
// `controlApi: true`. POST insists on application/json, so a cross-site page cannot send it
// without a CORS preflight that this app never answers.

export function controlRoutes({
  faults,
  requests,
}: {
  faults: FaultSwitchboard
  requests: RecordingRequestLog
}): Hono {
  const app = new Hono()

  app.get('/requests', (c) => c.json({ ...requests.counts(), entries: requests.entries }))
  app.delete('/requests', (c) => {
    requests.clear()
    return c.body(null, 204)
  })

  app.get('/faults', (c) =>
    c.json({
      faults: faults.active.map(({ fault, on, remaining }) => ({
        fault,
        on,
        times: Number.isFinite(remaining) ? remaining : null,
      })),
    }),
  )
  app.post('/faults', async (c) => {
    if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('application/json')) {
      return c.json({ error: 'Send the fault as application/json' }, 415)
    }
    const input: unknown = await c.req.json().catch(() => undefined)
    const parsed = parseFaultRequest(input)
    if (!parsed.ok) return c.json({ error: parsed.error }, 400)
    faults.inject(parsed.fault, { on: parsed.on, times: parsed.times })
    return c.json({ ok: true }, 201)
  })
  app.delete('/faults', (c) => {
    faults.clear()
    return c.body(null, 204)
  })

  return app
}
