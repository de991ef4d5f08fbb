import type { SeededUser } from '../users'
import { EVENT_TYPES, type NotifyEvent } from './events'

// An event to trigger, from the control API's JSON or the landing page's form: parsed field by
// field, numbers accepted as numbers or as their text.

type ParsedEvent = { ok: true; event: NotifyEvent } | { ok: false; error: string }

const MIN_KG = 2
const MAX_KG = 300

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return value
  if (typeof value === 'string' && /^\d{1,15}(\.\d{1,3})?$/.test(value.trim())) {
    return Number(value.trim())
  }
  return undefined
}

export function parseEvent(
  fields: { type: unknown; userid: unknown; kg?: unknown },
  users: readonly SeededUser[],
): ParsedEvent {
  const type = EVENT_TYPES.find((known) => known === fields.type)
  if (!type) return { ok: false, error: `type must be one of ${EVENT_TYPES.join(', ')}` }
  const userid = numberOf(fields.userid)
  if (!users.some((user) => user.userid === userid) || userid === undefined) {
    return { ok: false, error: 'userid must be one of the seeded users' }
  }
  if (type !== 'weighing') return { ok: true, event: { type, userid } }
  if (fields.kg === undefined || fields.kg === '') return { ok: true, event: { type, userid } }
  const kg = numberOf(fields.kg)
  if (kg === undefined || kg < MIN_KG || kg > MAX_KG) {
    return { ok: false, error: `kg must be a weight between ${MIN_KG} and ${MAX_KG}` }
  }
  return { ok: true, event: { type, userid, kg } }
}
