import type { DataService } from '../../contract/wire-contract'
import { RelayError } from '../errors'
import { type ActionRules, ALLOWLIST, type ParamRule } from './allowlist'

export interface DataRequest {
  service: DataService
  /** The form Withings receives, `action` first; every value already checked. */
  params: Record<string, string>
}

/**
 * Parses the SPA's `{action, ...params}` for one service against the allow-list, or throws
 * bad_request naming what is wrong. Only a request that passes may go upstream.
 */
export function parseDataRequest(service: string, body: Record<string, unknown>): DataRequest {
  if (!Object.hasOwn(ALLOWLIST, service)) {
    throw badRequest(`The relay forwards only to ${Object.keys(ALLOWLIST).join(', ')}.`)
  }
  const actions: Readonly<Record<string, ActionRules>> = ALLOWLIST[service as DataService]
  const { action, ...rest } = body
  const rules = typeof action === 'string' && Object.hasOwn(actions, action) && actions[action]
  if (!rules) {
    throw badRequest(`'action' must be one of ${Object.keys(actions).join(', ')} for ${service}.`)
  }
  const params: Record<string, string> = { action: action as string }
  for (const [name, value] of Object.entries(rest)) {
    const rule = Object.hasOwn(rules.params, name) && rules.params[name]
    if (!rule) {
      const known = Object.keys(rules.params).join(', ') || 'none besides action'
      throw badRequest(`${service} ${action} takes no parameter '${name}'; it takes ${known}.`)
    }
    params[name] = formValue(name, value, rule)
  }
  if (rules.oneOf && !exactlyOneGroup(rules.oneOf, params)) {
    const groups = rules.oneOf.map((group) => group.join(' + ')).join(', or ')
    throw badRequest(`${service} ${action} needs ${groups}, and only one of these.`)
  }
  return { service: service as DataService, params }
}

function formValue(name: string, value: unknown, rule: ParamRule): string {
  switch (rule.kind) {
    case 'integer': {
      const number = integer(value)
      if (number === undefined || number < rule.min || number > rule.max) {
        throw badRequest(`'${name}' must be a whole number from ${rule.min} to ${rule.max}.`)
      }
      return String(number)
    }
    case 'choice': {
      const number = integer(value)
      if (number === undefined || !rule.values.includes(number)) {
        throw badRequest(`'${name}' must be one of ${rule.values.join(', ')}.`)
      }
      return String(number)
    }
    case 'integers': {
      const numbers = list(value, rule.most)?.map(integer)
      if (!numbers?.every((n) => n !== undefined && n >= rule.min && n <= rule.max)) {
        throw badRequest(
          `'${name}' must list 1 to ${rule.most} whole numbers from ${rule.min} to ${rule.max}.`,
        )
      }
      return numbers.join(',')
    }
    case 'names': {
      const names = list(value, rule.values.length)
      if (!names?.every((item) => typeof item === 'string' && rule.values.includes(item))) {
        throw badRequest(`'${name}' must list field names the reference documents for it.`)
      }
      return names.join(',')
    }
    case 'ymd':
      if (typeof value !== 'string' || !isYmd(value)) {
        throw badRequest(`'${name}' must be a calendar day written YYYY-MM-DD.`)
      }
      return value
    case 'boolean':
      if (typeof value !== 'boolean') throw badRequest(`'${name}' must be true or false.`)
      return String(value)
  }
}

/** A JSON integer, or a short string of digits (form-style callers send those). */
function integer(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value
  return typeof number === 'number' && Number.isSafeInteger(number) ? number : undefined
}

/** A JSON array or a comma-separated string, of 1 to `most` items. */
function list(value: unknown, most: number): unknown[] | undefined {
  const items =
    typeof value === 'string'
      ? value.split(',').map((item) => item.trim())
      : Array.isArray(value)
        ? value
        : undefined
  return items && items.length >= 1 && items.length <= most ? items : undefined
}

function isYmd(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false
  const date = new Date(`${text}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text
}

function exactlyOneGroup(
  groups: readonly (readonly string[])[],
  params: Record<string, string>,
): boolean {
  const present = (name: string) => Object.hasOwn(params, name)
  const used = groups.filter((group) => group.some(present))
  return used.length === 1 && used.every((group) => group.every(present))
}

const badRequest = (message: string) => new RelayError('bad_request', message)
