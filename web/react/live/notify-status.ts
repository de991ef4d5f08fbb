import {
  NOTIFY_CATEGORIES,
  NOTIFY_FAILURES,
  type NotifyCategoryStatus,
  type NotifyStatus,
} from '../../../relay/contract/wire-contract'

/** `GET /api/notify`'s answer, field by field; entries the page cannot read are left out. */
export function parseNotifyStatus(body: unknown): NotifyStatus | undefined {
  if (typeof body !== 'object' || body === null) return undefined
  const { categories } = body as Record<string, unknown>
  if (!Array.isArray(categories)) return undefined
  return { categories: categories.flatMap((entry: unknown) => parseEntry(entry) ?? []) }
}

function parseEntry(entry: unknown): NotifyCategoryStatus | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined
  const { appli, state, reason, retry_after } = entry as Record<string, unknown>
  const category = NOTIFY_CATEGORIES.find((known) => known.appli === appli)
  if (!category) return undefined
  const base = { appli: category.appli, scope: category.scope }
  if (state === 'subscribed' || state === 'pending') return { ...base, state }
  const failure = NOTIFY_FAILURES.find((known) => known === reason)
  if (state !== 'failed' || !failure) return undefined
  return {
    ...base,
    state,
    reason: failure,
    ...(typeof retry_after === 'number' && { retry_after }),
  }
}
