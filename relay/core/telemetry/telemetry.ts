import {
  type Attributes,
  type Counter,
  type Histogram,
  type MeterProvider,
  metrics,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  type TracerProvider,
  trace,
  ValueType,
} from '@opentelemetry/api'
import { RelayError } from '../errors'

// The relay's traces and metrics, through OpenTelemetry's API: a no-op until the host registers
// an SDK (docs/operations.md), on every runtime the relay runs on. Attributes are names, codes,
// route patterns and status families only: never a URL's path or query (the notification
// callback's path carries its token), a body, a header, a code, a token or a cookie.

/** Where the relay's instruments come from: the global providers unless given (tests). */
export interface TelemetryProviders {
  tracerProvider?: TracerProvider
  meterProvider?: MeterProvider
}

/** One call to Withings, as postFormText reports it. */
export interface WithingsCall {
  /** Ends the call's span and records its duration: the HTTP status, or the error it ended in. */
  end(outcome: { status?: number; error?: unknown }): void
}

export interface RelayTelemetry {
  tracer: Tracer
  /** Opens a Withings call's span (a child of the request's) for postFormText. */
  withingsCall(url: string, action: string | undefined): WithingsCall
  /** A code exchange answered (outcome `ok` or the error code). */
  exchange(outcome: string): void
  /** A refresh at Withings ended (outcome `ok` or the error code). */
  refresh(outcome: string): void
  /** Calls taken from the app's Withings budget (or refused, `refused`), by kind. */
  budget(kind: string, outcome: 'taken' | 'refused', calls: number): void
  /** A notification from Withings answered (outcome: the answer's status family). */
  notification(outcome: string): void
  /** Counts the open live streams whenever metrics are collected. */
  observeStreams(count: () => number): void
}

const SCOPE = 'withings-link'

export function createTelemetry(providers: TelemetryProviders = {}): RelayTelemetry {
  // The global tracer is a proxy that follows an SDK registered later; the global meter is not,
  // so an SDK's metrics must be registered before the relay is created (as OTel's docs advise).
  const tracer = (providers.tracerProvider ?? trace).getTracer(SCOPE)
  const meter = (providers.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE)
  const counter = (name: string, description: string, unit: string): Counter =>
    meter.createCounter(name, { description, unit, valueType: ValueType.INT })
  const exchanges = counter('withings_link.exchanges', 'Code exchanges answered', '{exchange}')
  const refreshes = counter('withings_link.refreshes', 'Token refreshes at Withings', '{refresh}')
  const budgetCalls = counter(
    'withings_link.budget.calls',
    "Calls taken from (or refused by) the app's Withings budget",
    '{call}',
  )
  const notifications = counter(
    'withings_link.notifications',
    'Notifications from Withings answered at the callback',
    '{notification}',
  )
  const callDuration: Histogram = meter.createHistogram('withings_link.withings.duration', {
    description: 'Duration of calls to Withings',
    unit: 's',
    valueType: ValueType.DOUBLE,
  })

  return {
    tracer,
    withingsCall(url, action) {
      const service = new URL(url).pathname.replace(/^\/+/, '')
      const attributes: Attributes = {
        'withings.service': service,
        ...(action && { 'withings.action': action }),
      }
      const span = tracer.startSpan(`withings ${service}${action ? ` ${action}` : ''}`, {
        kind: SpanKind.CLIENT,
        attributes: { ...attributes, 'http.request.method': 'POST' },
      })
      const started = performance.now()
      return {
        end({ status, error }) {
          const outcome: Attributes = {
            ...attributes,
            'withings.status_family': status === undefined ? 'none' : statusFamily(status),
            ...(error !== undefined && { 'error.type': errorType(error) }),
          }
          if (status !== undefined) span.setAttribute('http.response.status_code', status)
          span.setAttributes(outcome)
          if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR })
          span.end()
          callDuration.record((performance.now() - started) / 1000, outcome)
        },
      }
    },
    exchange: (outcome) => exchanges.add(1, { outcome }),
    refresh: (outcome) => refreshes.add(1, { outcome }),
    budget: (kind, outcome, calls) => budgetCalls.add(calls, { kind, outcome }),
    notification: (outcome) => notifications.add(1, { outcome }),
    observeStreams(count) {
      meter
        .createObservableUpDownCounter('withings_link.live.streams', {
          description: 'Live streams open on this instance',
          unit: '{stream}',
          valueType: ValueType.INT,
        })
        .addCallback((result) => result.observe(count()))
    },
  }
}

/** `2xx`, `4xx`…: the class of an HTTP status. */
export const statusFamily = (status: number) => `${Math.floor(status / 100)}xx`

/** A relay error's stable code, or an error's name when it is identifier-like; never a message. */
export function errorType(error: unknown): string {
  if (error instanceof RelayError) return error.code
  if (error instanceof Error && /^[A-Za-z][A-Za-z_]{0,31}$/.test(error.name)) return error.name
  return 'Error'
}
