// What reached the API routes (token, data, signature, revoke, notify), recorded before any fault
// applies, so a test can say "the relay called Withings exactly once" or "it never retried".

export interface RequestLogEntry {
  route: 'token' | 'data' | 'signature' | 'revoke' | 'notify'
  /** Token route: the `grant_type` sent, if any. */
  grantType?: string
  /** Data routes: `measure`, `v2/measure`, `v2/sleep`, `v2/heart` or `v2/user`; and `notify`. */
  service?: string
  action?: string
  /** Emulator clock, ms since the epoch. */
  at: number
}

export type RequestFilter = Partial<Omit<RequestLogEntry, 'at'>>

export interface RequestCounts {
  total: number
  token: number
  data: number
  signature: number
  revoke: number
  notify: number
  grantTypes: Record<string, number>
  /** Keyed `service/action`, e.g. `measure/getmeas`. */
  actions: Record<string, number>
}

export interface EmulatorRequestLog {
  readonly entries: readonly RequestLogEntry[]
  count(filter?: RequestFilter): number
  counts(): RequestCounts
  clear(): void
}

export interface RecordingRequestLog extends EmulatorRequestLog {
  record(entry: RequestLogEntry): void
}

export function createRequestLog(): RecordingRequestLog {
  const entries: RequestLogEntry[] = []
  const matches = (entry: RequestLogEntry, filter: RequestFilter) =>
    (Object.keys(filter) as (keyof RequestFilter)[]).every(
      (key) => filter[key] === undefined || entry[key] === filter[key],
    )

  return {
    entries,
    record(entry) {
      entries.push(entry)
    },
    count(filter = {}) {
      return entries.filter((entry) => matches(entry, filter)).length
    },
    counts() {
      const counts: RequestCounts = {
        total: 0,
        token: 0,
        data: 0,
        signature: 0,
        revoke: 0,
        notify: 0,
        grantTypes: {},
        actions: {},
      }
      for (const entry of entries) {
        counts.total++
        counts[entry.route]++
        if (entry.grantType !== undefined) {
          counts.grantTypes[entry.grantType] = (counts.grantTypes[entry.grantType] ?? 0) + 1
        }
        if (entry.service !== undefined) {
          const key = `${entry.service}/${entry.action ?? ''}`
          counts.actions[key] = (counts.actions[key] ?? 0) + 1
        }
      }
      return counts
    },
    clear() {
      entries.length = 0
    },
  }
}
