import { callWithDeadline, DeadlinePassed, type OutgoingFetch } from './outgoing-call'
import { cycleDelays, TRIES_PER_CYCLE } from './retry-schedule'
import type { Scheduler } from './scheduler'
import type { Subscription, SubscriptionStore } from './subscription-store'

// Sending notifications as Withings does: a form-encoded POST of a few fields to each callback,
// which must answer 2xx within the deadline (2 s: "Your server has to respond with a 200 HTTP OK
// status within two seconds", data-update guide), retried on Withings' schedule, and the
// subscription removed when every try has failed. An answer under 400 counts as delivered. Every try is logged for tests and the page.

export type AttemptOutcome = 'delivered' | 'refused' | 'timeout' | 'unreachable'

export interface DeliveryAttempt {
  /** 1 to 10. */
  try: number
  /** When Withings' schedule puts this try: ms after the first (the scheduler may compress it). */
  plannedAfterMs: number
  /** Emulator clock when it was sent, ms since the epoch. */
  at: number
  /** An answer under 400, another answer, no answer before the deadline, or no connection at all. */
  outcome: AttemptOutcome
  httpStatus?: number
  /** Real time until the answer's status (or the failure), ms. */
  durationMs: number
}

export interface Delivery {
  id: number
  subscriptionId: number
  clientId: string
  userid: number
  appli: number
  callbackurl: string
  /** The form fields POSTed. */
  payload: Readonly<Record<string, string>>
  /** `cancelled`: the subscription was revoked before a try got through. */
  state: 'pending' | 'delivered' | 'failed' | 'cancelled'
  attempts: DeliveryAttempt[]
  /** This delivery's last failure removed the subscription. */
  subscriptionRemoved: boolean
}

interface DeliveryLog {
  /** Oldest first. */
  readonly deliveries: readonly Delivery[]
  /** Resolves once no delivery is pending, retries included. */
  settled(): Promise<void>
  clear(): void
}

export interface Deliverer extends DeliveryLog {
  /** POSTs `payload` to each subscription; resolves once each delivery has had its first try. */
  send(subscriptions: readonly Subscription[], payload: Record<string, string>): Promise<Delivery[]>
}

interface DelivererOptions {
  subscriptions: SubscriptionStore
  fetch: OutgoingFetch
  scheduler: Scheduler
  /** Draws the random parts of the retry schedule, uniform in [0, 1). */
  random: () => number
  deadlineMs: number
  now: () => number
}

export function createDeliverer(options: DelivererOptions): Deliverer {
  const { subscriptions, fetch, scheduler, random, deadlineMs, now } = options
  let deliveries: Delivery[] = []
  const pending = new Set<Promise<void>>()
  let lastId = 0

  const wait = (ms: number) => new Promise<void>((resolve) => scheduler.after(ms, resolve))
  const stillSubscribed = (delivery: Delivery) =>
    subscriptions.all.some((subscription) => subscription.id === delivery.subscriptionId)

  async function tryOnce(delivery: Delivery, plannedAfterMs: number): Promise<DeliveryAttempt> {
    const started = performance.now()
    const attempt = { try: delivery.attempts.length + 1, plannedAfterMs, at: now() }
    let result: Pick<DeliveryAttempt, 'outcome' | 'httpStatus'>
    try {
      const response = await callWithDeadline(
        fetch,
        delivery.callbackurl,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(delivery.payload),
          redirect: 'manual',
        },
        deadlineMs,
      )
      // "Your server must answer with a status code < 400, ideally 2xx" (notification overview).
      const ok = response.status >= 200 && response.status < 400
      result = { outcome: ok ? 'delivered' : 'refused', httpStatus: response.status }
    } catch (error) {
      result = { outcome: error instanceof DeadlinePassed ? 'timeout' : 'unreachable' }
    }
    const done = { ...attempt, ...result, durationMs: Math.round(performance.now() - started) }
    delivery.attempts.push(done)
    return done
  }

  async function deliver(delivery: Delivery, firstTried: () => void): Promise<void> {
    let plannedAfterMs = 0
    for (const [cycle, delay] of cycleDelays(random).entries()) {
      if (cycle > 0) await wait(delay)
      plannedAfterMs += delay
      if (!stillSubscribed(delivery)) {
        delivery.state = 'cancelled'
        return
      }
      for (let i = 0; i < TRIES_PER_CYCLE; i++) {
        const attempt = await tryOnce(delivery, plannedAfterMs)
        firstTried()
        if (attempt.outcome === 'delivered') {
          delivery.state = 'delivered'
          return
        }
      }
    }
    delivery.state = 'failed'
    delivery.subscriptionRemoved =
      subscriptions.remove((subscription) => subscription.id === delivery.subscriptionId) > 0
  }

  return {
    get deliveries() {
      return deliveries
    },
    async settled() {
      while (pending.size > 0) await Promise.all(pending)
    },
    clear() {
      deliveries = deliveries.filter((delivery) => delivery.state === 'pending')
    },
    send(targets, payload) {
      return Promise.all(
        targets.map((subscription) => {
          const delivery: Delivery = {
            id: ++lastId,
            subscriptionId: subscription.id,
            clientId: subscription.clientId,
            userid: subscription.userid,
            appli: subscription.appli,
            callbackurl: subscription.callbackurl,
            payload,
            state: 'pending',
            attempts: [],
            subscriptionRemoved: false,
          }
          deliveries.push(delivery)
          return new Promise<Delivery>((resolve) => {
            const run = deliver(delivery, () => resolve(delivery)).finally(() => {
              pending.delete(run)
              resolve(delivery)
            })
            pending.add(run)
          })
        }),
      )
    },
  }
}
