/** Withings scopes, in the order of their documentation table. */
export const SCOPES = ['user.info', 'user.metrics', 'user.activity', 'user.sleepevents'] as const
export type Scope = (typeof SCOPES)[number]
