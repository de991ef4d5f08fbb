import { isYmd } from './calendar'

// Data-service parameters, parsed once into typed values. A malformed one ends the call with
// Withings' "invalid params" status (503, reference response_status table), naming the param.

export class InvalidParams extends Error {
  constructor(readonly param: string) {
    super(`Invalid Params: invalid ${param}`)
    this.name = 'InvalidParams'
  }
}

const INTEGER = /^-?\d{1,15}$/

export function optionalInt(params: URLSearchParams, name: string): number | undefined {
  const text = params.get(name)
  if (text === null || text === '') return undefined
  if (!INTEGER.test(text)) throw new InvalidParams(name)
  return Number(text)
}

export function requiredInt(params: URLSearchParams, name: string): number {
  const value = optionalInt(params, name)
  if (value === undefined) throw new InvalidParams(name)
  return value
}

/** `meastypes=1,4,12` (reference: "List of requested measure types (separated by a comma)"). */
export function optionalIntList(params: URLSearchParams, name: string): number[] | undefined {
  const text = params.get(name)
  if (text === null || text === '') return undefined
  const items = text.split(',')
  if (!items.every((item) => INTEGER.test(item.trim()))) throw new InvalidParams(name)
  return items.map((item) => Number(item.trim()))
}

function optionalYmd(params: URLSearchParams, name: string): string | undefined {
  const text = params.get(name)
  if (text === null || text === '') return undefined
  if (!isYmd(text)) throw new InvalidParams(name)
  return text
}

export function offsetParam(params: URLSearchParams): number {
  const offset = optionalInt(params, 'offset') ?? 0
  if (offset < 0) throw new InvalidParams('offset')
  return offset
}

/** `data_fields=steps,distance`; undefined means "the default set". */
export function dataFields(params: URLSearchParams): ReadonlySet<string> | undefined {
  const text = params.get('data_fields')
  if (text === null || text.trim() === '') return undefined
  return new Set(text.split(',').map((field) => field.trim()))
}

type DayWindow =
  | { kind: 'days'; start: string; end: string }
  | { kind: 'lastupdate'; since: number }

/**
 * getactivity, getworkouts and getsummary take `startdateymd` + `enddateymd` or `lastupdate`,
 * never both (reference: "DO NOT USE WITH FOLLOWING PARAMS").
 */
export function dayWindow(params: URLSearchParams): DayWindow {
  const start = optionalYmd(params, 'startdateymd')
  const end = optionalYmd(params, 'enddateymd')
  const since = optionalInt(params, 'lastupdate')
  if (since !== undefined) {
    if (start !== undefined || end !== undefined) throw new InvalidParams('lastupdate')
    return { kind: 'lastupdate', since }
  }
  if (start === undefined) throw new InvalidParams('startdateymd')
  if (end === undefined) throw new InvalidParams('enddateymd')
  return { kind: 'days', start, end }
}

export interface Page<T> {
  items: T[]
  more: boolean
  /** Where the next page starts; 0 when there is none. */
  offset: number
}

export function page<T>(items: readonly T[], offset: number, size: number): Page<T> {
  const slice = items.slice(offset, offset + size)
  const more = offset + size < items.length
  return { items: slice, more, offset: more ? offset + size : 0 }
}

/** What getactivity, getworkouts and getsummary list: items filed by local day. */
interface DayItem {
  date: string
  modified: number
}

/**
 * The page of `items` a day-windowed call asks for (`startdateymd`…`enddateymd` inclusive, or
 * modified since `lastupdate`), with the `data_fields` it names.
 */
export function dayWindowPage<T extends DayItem>(
  items: readonly T[],
  params: URLSearchParams,
  pageSize: number,
): Page<T> & { fields: ReadonlySet<string> | undefined } {
  const window = dayWindow(params)
  const fields = dataFields(params)
  const offset = offsetParam(params)
  const matching = items.filter((item) =>
    window.kind === 'days'
      ? item.date >= window.start && item.date <= window.end
      : item.modified >= window.since,
  )
  return { ...page(matching, offset, pageSize), fields }
}

/** Copies `source` keeping only `fields` (and every key in `always`); all keys when undefined. */
export function pickFields<T extends object>(
  source: T,
  fields: ReadonlySet<string> | undefined,
  always: readonly string[] = [],
): Partial<T> {
  if (!fields) return { ...source }
  return Object.fromEntries(
    Object.entries(source).filter(([key]) => fields.has(key) || always.includes(key)),
  ) as Partial<T>
}
