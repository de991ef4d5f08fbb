import type { Scope } from '../../../relay/contract/wire-contract'

export interface ScopeInfo {
  scope: Scope
  allows: string
  webservices: readonly string[]
  /** Withings: "trying to use this scope without a contract with Withings will fail". */
  needsContract: boolean
}

/** Withings' scope table (developer guide, "Authorization URL → Scopes"). */
export const SCOPE_TABLE: readonly ScopeInfo[] = [
  {
    scope: 'user.info',
    allows: 'Read personal information and linked devices; link or unlink devices.',
    webservices: [
      'User v2 - Getdevice',
      'User v2 - Getgoals',
      'User v2 - Link',
      'User v2 - Unlink',
    ],
    needsContract: true,
  },
  {
    scope: 'user.metrics',
    allows: 'Read one-off measurements: weight, body composition, blood pressure, heart rate, ECG.',
    webservices: ['Measure - Getmeas', 'Heart v2 - Get', 'Heart v2 - List'],
    needsContract: false,
  },
  {
    scope: 'user.activity',
    allows: 'Read physical activity and sleep.',
    webservices: [
      'Measure v2 - Getactivity',
      'Measure v2 - Getintradayactivity',
      'Measure v2 - Getworkouts',
      'Sleep v2 - Get',
      'Sleep v2 - Getsummary',
    ],
    needsContract: false,
  },
  {
    scope: 'user.sleepevents',
    allows: 'Be notified when the person gets into or out of bed.',
    webservices: ['Notify - Subscribe (bed in / bed out)'],
    needsContract: false,
  },
]

export const DEFAULT_SCOPES: readonly Scope[] = ['user.metrics', 'user.activity']
