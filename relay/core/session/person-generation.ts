// Each person's sign-ins are numbered in the shared store (`person-generation:<userid>`), and the
// session cookie carries its own number. Disconnect records, once per person, the number through
// which their sessions are ended (`person-ended:<userid>`): every session begun until then, on
// every device — as Withings' revoke ends the whole grant. Two keys a person, however often they
// connect and disconnect, so that what protects people cannot grow without bound; both are kept a
// session's lifetime after their last write, by which time every session they speak of has ended.
// A revoke ticket names the number it was issued at: a later sign-in (or a revoke that reached
// Withings, which counts one up too) voids it.

export const generationKey = (userid: string) => `person-generation:${userid}`
export const endedKey = (userid: string) => `person-ended:${userid}`

/** A number the store holds, or undefined for none (or anything else: nothing ends by accident). */
export function storedNumber(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined
}
