import { context, metrics, propagation, trace } from '@opentelemetry/api'
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks'
import { W3CTraceContextPropagator } from '@opentelemetry/core'
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics'
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { CALLBACK_PATH } from '../../relay/core/notify/callback-url'
import { createApiClient } from '../support/api-client'
import { openSession, SESSION_COOKIE, sealedField } from '../support/cookies'
import { openLiveStream } from '../support/live-stream'
import { startLogin } from '../support/login'
import { CLIENT_SECRET, RELAY_KEY, type Stack, startStack } from '../support/stack'

// OpenTelemetry as a host sees it once it installs an SDK: the SDK's in-memory exporters
// registered as the global providers (with async context, so that spans nest), then one person's
// whole visit through the real relay and emulator over HTTP. Every span and metric is read back:
// the request spans and the Withings calls under them, the counts, and not one secret, code,
// state, token, cookie or callback token in any name or attribute.

const spans = new InMemorySpanExporter()
const reader = new PeriodicExportingMetricReader({
  exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
  exportIntervalMillis: 3_600_000,
})
const contextManager = new AsyncLocalStorageContextManager().enable()
context.setGlobalContextManager(contextManager)
propagation.setGlobalPropagator(new W3CTraceContextPropagator())
trace.setGlobalTracerProvider(
  new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
)
// Before the relay is made: the meter is taken once, at createRelay.
metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))

let stack: Stack
/** Every value that must never reach telemetry, by what it is. */
const secrets = new Map<string, string>()

beforeAll(async () => {
  stack = await startStack({ liveLimits: { heartbeatMs: 60_000 } })
  secrets.set('client secret', CLIENT_SECRET)
  secrets.set('cookie key', RELAY_KEY)
  const api = createApiClient(stack.appUrl)

  // A sign-in: its code and state.
  const login = await startLogin(stack, api)
  secrets.set('code', login.code)
  secrets.set('state', login.state)
  expect((await api.post('/api/auth/token', login.body)).status).toBe(200)
  await stack.settled()
  // A code exchanged twice: refused at Withings.
  expect((await api.post('/api/auth/token', login.body)).status).toBeGreaterThanOrEqual(400)

  // Data, with a refresh when Withings refuses the access token.
  const before = await openSession(api.jar.get(SESSION_COOKIE), RELAY_KEY)
  stack.emulator.faults.inject({ type: 'status', status: 401 }, { on: 'data', times: 1 })
  expect((await api.post('/api/withings/v2/heart', { action: 'list' })).status).toBe(200)
  const after = await openSession(api.jar.get(SESSION_COOKIE), RELAY_KEY)
  for (const [name, opened] of [
    ['first', before],
    ['refreshed', after],
  ] as const) {
    for (const field of ['accessToken', 'refreshToken']) {
      const value = sealedField(opened, field)
      if (value) secrets.set(`${name} ${field}`, value)
    }
  }
  for (const [name, value] of api.jar) secrets.set(`cookie ${name}`, value)

  // A notification through the callback to the open stream.
  const callback = stack.emulator.notifications.subscriptions[0]?.callbackurl ?? ''
  secrets.set('callback token', callback.slice(callback.lastIndexOf('/') + 1))
  const stream = await openLiveStream(api)
  await stack.emulator.notifications.trigger({ type: 'weighing', userid: 363 })
  await stream.next((frame) => frame.event === 'notify')
  streamsWhileOpen = await openStreams()
  stream.close()

  // Disconnect, which revokes at Withings with a signed call.
  expect((await api.post('/api/auth/logout')).status).toBe(200)
  await stack.settled()
}, 30_000)

afterAll(async () => {
  await stack?.close()
  contextManager.disable()
})

let streamsWhileOpen: number | undefined

async function collected() {
  const { resourceMetrics } = await reader.collect()
  return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics)
}

/** The sum of a counter's points whose attributes include `attributes`. */
async function counted(name: string, attributes: Record<string, string> = {}) {
  const metric = (await collected()).find((each) => each.descriptor.name === name)
  return (metric?.dataPoints ?? [])
    .filter((point) => Object.entries(attributes).every(([k, v]) => point.attributes[k] === v))
    .reduce((sum, point) => sum + Number(point.value), 0)
}

async function openStreams() {
  return counted('withings_link.live.streams')
}

const finished = () => spans.getFinishedSpans()
const named = (name: string) => finished().filter((span) => span.name === name)
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId

describe('traces', () => {
  test("a server span for each request, named by its route pattern, with the status and the caller's trace", async () => {
    const [exchange] = named('POST /api/auth/token')
    expect(exchange?.attributes).toEqual({
      'http.request.method': 'POST',
      'url.scheme': 'http',
      'http.route': '/api/auth/token',
      'http.response.status_code': 200,
    })

    const traceId = '0af7651916cd43dd8448eb211c80319c'
    const answer = await fetch(`${stack.appUrl}/api/healthz`, {
      headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    })
    expect(answer.status).toBe(200)
    const health = named('GET /api/healthz').at(-1)
    expect(health?.spanContext().traceId).toBe(traceId)
    expect(parentOf(health as ReadableSpan)).toBe('b7ad6b7169203331')
  })

  test('a client span for each Withings call, under the request that made it', () => {
    const [exchange] = named('POST /api/auth/token')
    const calls = finished().filter(
      (span) =>
        span.name === 'withings v2/oauth2 requesttoken' &&
        span.attributes['withings.status_family'] === '2xx',
    )
    const underExchange = calls.find((span) => parentOf(span) === exchange?.spanContext().spanId)
    expect(underExchange?.attributes).toEqual({
      'http.request.method': 'POST',
      'withings.service': 'v2/oauth2',
      'withings.action': 'requesttoken',
      'withings.status_family': '2xx',
      'http.response.status_code': 200,
    })
    expect(underExchange?.duration[0] ?? -1).toBeGreaterThanOrEqual(0)

    // The data call refused with 401, then the refresh, then the call again: all under one request.
    const [data] = named('POST /api/withings/:service{.+}').filter(
      (span) => span.attributes['http.response.status_code'] === 200,
    )
    const children = finished().filter((span) => parentOf(span) === data?.spanContext().spanId)
    expect(children.map((span) => span.name)).toEqual([
      'withings v2/heart list',
      'withings v2/oauth2 requesttoken',
      'withings v2/heart list',
    ])
    // Withings refuses a token with status 401 in its envelope, in an HTTP 200 answer.
    expect(children.map((span) => span.attributes['withings.status_family'])).toEqual([
      '2xx',
      '2xx',
      '2xx',
    ])
  })

  test("the callback's span names its route pattern, never its token", () => {
    const callback = finished().find(
      (span) =>
        span.attributes['http.route'] === `${CALLBACK_PATH}/:token` &&
        span.attributes['http.request.method'] === 'POST',
    )
    expect(callback?.name).toBe(`POST ${CALLBACK_PATH}/:token`)
    expect(callback?.attributes['http.response.status_code']).toBe(200)
  })
})

describe('metrics', () => {
  test('code exchanges and refreshes, by outcome', async () => {
    expect(await counted('withings_link.exchanges', { outcome: 'ok' })).toBe(1)
    expect(await counted('withings_link.exchanges')).toBe(2)
    expect(await counted('withings_link.refreshes', { outcome: 'ok' })).toBe(1)
  })

  test("the app's Withings budget, by kind of call", async () => {
    for (const kind of ['exchange', 'data', 'refresh', 'notify', 'revoke']) {
      expect(
        await counted('withings_link.budget.calls', { kind, outcome: 'taken' }),
        kind,
      ).toBeGreaterThan(0)
    }
  })

  test('notifications answered, and the live streams open', async () => {
    expect(await counted('withings_link.notifications', { outcome: '2xx' })).toBe(1)
    expect(streamsWhileOpen).toBe(1)
    await expect.poll(openStreams).toBe(0)
  })

  test('the duration of each Withings call, by service, action and status family', async () => {
    const metric = (await collected()).find(
      (each) => each.descriptor.name === 'withings_link.withings.duration',
    )
    expect(metric?.descriptor.unit).toBe('s')
    const kinds = (metric?.dataPoints ?? []).map((point) => point.attributes['withings.action'])
    expect(new Set(kinds)).toEqual(
      new Set(['requesttoken', 'list', 'subscribe', 'getnonce', 'revoke']),
    )
  })
})

describe('no secret in any span or metric', () => {
  test('names, attributes, events and statuses hold no secret, code, state, token, cookie or callback token', async () => {
    expect([...secrets.keys()]).toEqual(
      expect.arrayContaining([
        'code',
        'state',
        'callback token',
        'first refreshToken',
        'refreshed accessToken',
      ]),
    )
    const texts = [
      ...finished().flatMap((span) => [
        span.name,
        span.status.message ?? '',
        ...Object.values(span.attributes).map(String),
        ...span.events.flatMap((event) => [
          event.name,
          ...Object.values(event.attributes ?? {}).map(String),
        ]),
      ]),
      ...(await collected()).flatMap((metric) => [
        metric.descriptor.name,
        ...metric.dataPoints.flatMap((point) => Object.values(point.attributes).map(String)),
      ]),
    ]
    expect(texts.length).toBeGreaterThan(100)
    for (const [what, secret] of secrets) {
      expect(secret.length, what).toBeGreaterThan(8)
      expect(
        texts.filter((text) => text.includes(secret)),
        what,
      ).toEqual([])
    }
    // Nor any URL: no path or query is ever recorded.
    expect(texts.filter((text) => /https?:\/\//.test(text))).toEqual([])
  })
})
