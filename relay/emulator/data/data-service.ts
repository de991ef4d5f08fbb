import type { EnvelopeBody } from '../envelope-answers'
import type { UserData } from './seed-data'

/** One data-service call, already authenticated and authorised. */
interface ServiceRequest {
  params: URLSearchParams
  data: UserData
  /** Emulator clock, ms since the epoch. */
  now: number
  pageSize: number
}

/** Returns the envelope body; throws InvalidParams for a malformed parameter. */
export type ServiceHandler = (request: ServiceRequest) => EnvelopeBody
