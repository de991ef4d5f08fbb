import type { Kysely } from 'kysely'
import type { SyncSchema } from '../db/schema'
import type { Health } from '../health'
import { Drop, Retry } from '../jobs/outcomes'
import type { JobHandler } from '../jobs/worker'
import type { SyncEvent } from '../sync-events'
import { createWebhookSigner } from './webhook-signature'

// The outbox's consumers, as job handlers: the webhook (a signed POST to the app's receiver) and
// `onEvent` (the app's own function). Each runs at least once per event; a failure is retried,
// with the event's id unchanged.

export interface WebhookOptions {
  url: string
  /** `whsec_…` secrets; each delivery is signed with every one, the newest first. */
  secrets: readonly string[]
  /** How long the receiver has to answer. Default 10 s. */
  timeoutMs?: number
  /** How the POST is sent. Default the global fetch. */
  fetch?: typeof fetch
}

/**
 * Waits between a webhook's attempts, in seconds (each stretched by up to a quarter, so that a
 * receiver back from an outage is not met by every delivery at once): 31.7 hours at least from
 * the first attempt to the last, then the delivery is given up and logged.
 */
export const WEBHOOK_RETRY_SECONDS = [
  5, 30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800, 28_800, 28_800,
]

const DEFAULT_TIMEOUT_MS = 10_000

type Db = Kysely<SyncSchema>

/** An outbox row as consumers see it. */
export function asEvent(row: {
  webhook_id: string
  type: string
  data: unknown
  created_at: Date
}): SyncEvent {
  return {
    id: row.webhook_id,
    type: row.type,
    timestamp: row.created_at.toISOString(),
    data: row.data,
  } as SyncEvent
}

/** The event `id` of the outbox, as consumers see it; undefined once pruned. */
export async function eventOf(db: Db, id: number): Promise<SyncEvent | undefined> {
  const row = await db
    .selectFrom('sync_event')
    .select(['webhook_id', 'type', 'data', 'created_at'])
    .where('id', '=', id)
    .executeTakeFirst()
  return row && asEvent(row)
}

/** Where a delivery finds its event: the outbox's own memory of the ones just written, else the table. */
export type EventSource = (id: number) => Promise<SyncEvent | undefined>

const eventId = (payload: unknown) => Number((payload as { event?: unknown }).event)

async function delivered(events: EventSource, payload: unknown): Promise<SyncEvent> {
  const event = await events(eventId(payload))
  if (!event) throw new Drop('the event is no longer kept')
  return event
}

/**
 * POSTs the event as Standard Webhooks says: `{type, timestamp, data}`, signed, with the
 * `webhook-id` of the event on every attempt. A 2xx answer delivers it; anything else (another
 * status, a redirect, which is not followed, no answer within the timeout, no receiver) is
 * retried on WEBHOOK_RETRY_SECONDS. The answer's body is never read, nor logged.
 */
export function webhookDelivery(options: {
  events: EventSource
  webhook: WebhookOptions
  now: () => number
  health: Health
}): JobHandler {
  const { events, webhook, now, health } = options
  const signer = createWebhookSigner(webhook.secrets)
  const send = webhook.fetch ?? fetch
  const timeoutMs = webhook.timeoutMs ?? DEFAULT_TIMEOUT_MS
  return async (job, signal) => {
    const event = await delivered(events, job.payload)
    const { id, ...content } = event
    const body = JSON.stringify(content)
    const timestamp = String(Math.floor(now() / 1000))
    const retry = (reason: string) => {
      health.failed(reason)
      const wait = WEBHOOK_RETRY_SECONDS[Math.min(job.attempts, WEBHOOK_RETRY_SECONDS.length) - 1]
      return new Retry(`webhook ${reason}`, (wait ?? 0) * (1 + Math.random() / 4))
    }
    let answer: Response
    try {
      answer = await send(webhook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': timestamp,
          'webhook-signature': await signer.sign(id, Number(timestamp), body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      })
    } catch (error) {
      if (signal.aborted) throw signal.reason
      throw retry(
        error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'unreachable',
      )
    }
    await answer.body?.cancel().catch(() => {})
    if (answer.status < 200 || answer.status > 299) throw retry(`status ${answer.status}`)
    health.ok()
  }
}

/** Calls the app's `onEvent`; a throw is retried with the queue's backoff. */
export function hookDelivery(options: {
  events: EventSource
  onEvent: (event: SyncEvent) => void | Promise<void>
}): JobHandler {
  return async (job) => {
    await options.onEvent(await delivered(options.events, job.payload))
  }
}
