import type { RawConnection } from './fault-response'

// Fault switches for the relay's failure tests. A fault is armed for the token route, the data
// routes or both, for a number of requests or until cleared.

export type Fault =
  /** Waits, then answers normally. */
  | { type: 'delay'; ms: number }
  /** An HTML error page with this HTTP status, as a proxy in front of Withings would send. */
  | { type: 'http'; status: 500 | 502 | 503 | 504 }
  /**
   * HTTP 200 with a Withings envelope carrying this status (601 gets `wait_seconds`); status 0
   * with a body answers that body as a success, to replay an answer as it was recorded.
   */
  | { type: 'status'; status: number; error?: string; body?: Record<string, unknown> }
  /** HTTP 200, `application/json`, and a body that does not parse. */
  | { type: 'broken-json' }
  /** The start of a valid envelope, then the connection ends mid-body. */
  | { type: 'truncated' }
  /** The TCP connection is destroyed without any response. */
  | { type: 'reset' }

export type FaultTarget = 'token' | 'data' | 'all'

export interface FaultOptions {
  on?: FaultTarget
  /** How many requests the fault hits; until cleared when omitted. */
  times?: number
}

export interface ActiveFault {
  fault: Fault
  on: FaultTarget
  remaining: number
}

export interface FaultController {
  inject(fault: Fault, options?: FaultOptions): void
  clear(): void
  readonly active: readonly ActiveFault[]
}

interface FaultPlan {
  delayMs: number
  fault?: Fault
}

export interface FaultSwitchboard extends FaultController {
  /** What hits this request: every armed delay, then the first armed other fault. */
  take(route: 'token' | 'data'): FaultPlan
  /** The runtime's hold on each request's connection, for `reset` and `truncated`. */
  readonly connection: RawConnection | undefined
}

export function createFaults(connection?: RawConnection): FaultSwitchboard {
  let active: ActiveFault[] = []

  return {
    connection,
    get active() {
      return active
    },
    inject(fault, options = {}) {
      const parsed = parseFaultRequest({ fault, ...options })
      if (!parsed.ok) throw new TypeError(`Invalid emulator fault: ${parsed.error}`)
      active.push({ fault: parsed.fault, on: parsed.on, remaining: parsed.times })
    },
    clear() {
      active = []
    },
    take(route) {
      const plan: FaultPlan = { delayMs: 0 }
      for (const armed of active) {
        if (armed.on !== 'all' && armed.on !== route) continue
        if (armed.fault.type === 'delay') {
          plan.delayMs += armed.fault.ms
          armed.remaining--
        } else if (!plan.fault) {
          plan.fault = armed.fault
          armed.remaining--
        }
      }
      active = active.filter((armed) => armed.remaining > 0)
      return plan
    },
  }
}

type ParsedFault =
  | { ok: true; fault: Fault; on: FaultTarget; times: number }
  | { ok: false; error: string }

/** `{fault, on?, times?}` from a test or from `POST /_emulator/faults`, checked field by field. */
export function parseFaultRequest(input: unknown): ParsedFault {
  if (!isRecord(input)) return { ok: false, error: 'expected an object {fault, on?, times?}' }
  const fault = parseFault(input.fault)
  if (typeof fault === 'string') return { ok: false, error: fault }
  const on = input.on ?? 'all'
  if (on !== 'token' && on !== 'data' && on !== 'all') {
    return { ok: false, error: 'on must be "token", "data" or "all"' }
  }
  const times = input.times ?? Number.POSITIVE_INFINITY
  if (
    typeof times !== 'number' ||
    !(times >= 1) ||
    (Number.isFinite(times) && !Number.isInteger(times))
  ) {
    return { ok: false, error: 'times must be a positive integer' }
  }
  return { ok: true, fault, on, times }
}

function parseFault(value: unknown): Fault | string {
  if (!isRecord(value)) return 'fault must be an object with a type'
  switch (value.type) {
    case 'delay':
      return isInteger(value.ms) && value.ms >= 0 && value.ms <= 120_000
        ? { type: 'delay', ms: value.ms }
        : 'delay needs ms between 0 and 120000'
    case 'http':
      return value.status === 500 ||
        value.status === 502 ||
        value.status === 503 ||
        value.status === 504
        ? { type: 'http', status: value.status }
        : 'http needs status 500, 502, 503 or 504'
    case 'status': {
      if (!isInteger(value.status)) return 'status needs an integer status'
      if (value.error !== undefined && typeof value.error !== 'string')
        return 'error must be a string'
      if (value.body !== undefined && !isRecord(value.body)) return 'body must be an object'
      return {
        type: 'status',
        status: value.status,
        ...(value.error === undefined ? {} : { error: value.error }),
        ...(value.body === undefined ? {} : { body: value.body }),
      }
    }
    case 'broken-json':
    case 'truncated':
    case 'reset':
      return { type: value.type }
    default:
      return 'type must be delay, http, status, broken-json, truncated or reset'
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const isInteger = (value: unknown): value is number => Number.isInteger(value)
