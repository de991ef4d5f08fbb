import type { Scope } from '../contract/wire-contract'

/** What each scope lets the application read, from Withings' scope table (docs/withings.md). */
export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  'user.info': 'Your personal information and the list of your Withings devices',
  'user.metrics': 'Your measurements: weight, body composition, blood pressure, heart rate and ECG',
  'user.activity': 'Your daily activity, workouts and sleep',
  'user.sleepevents': 'Notifications when you get into or out of bed',
}
