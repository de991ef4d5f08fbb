import type { SeedData } from '../data/seed-data'
import { createDeliverer, type Delivery } from './deliveries'
import { createEventTrigger, type NotifyEvent, type Triggered } from './events'
import type { OutgoingFetch } from './outgoing-call'
import type { Scheduler } from './scheduler'
import {
  createSubscriptionStore,
  type Subscription,
  type SubscriptionStore,
} from './subscription-store'

// The emulator's Notify service in one piece: who is subscribed, what was delivered, and the
// trigger for the events a person's devices would report.

export interface EmulatorNotifications {
  /** Every live subscription, of every client, oldest first. */
  readonly subscriptions: readonly Subscription[]
  /** Every notification sent (one per subscription per event) with each of its tries. */
  readonly deliveries: readonly Delivery[]
  /** Records the event (a weighing joins the person's data) and notifies its subscribers. */
  trigger(event: NotifyEvent): Promise<Triggered>
  /** Resolves once no delivery is pending, retries included. */
  settled(): Promise<void>
  /** Forgets finished deliveries. */
  clearDeliveries(): void
}

interface NotifyService {
  store: SubscriptionStore
  notifications: EmulatorNotifications
}

export function createNotifyService(options: {
  data: SeedData
  fetch: OutgoingFetch
  scheduler: Scheduler
  random: () => number
  deadlineMs: number
  now: () => number
  /** Subscriptions kept from an earlier run, and what to call after each change. */
  restored?: readonly Subscription[] | undefined
  changed?: () => void
}): NotifyService {
  const store = createSubscriptionStore({
    now: options.now,
    ...(options.restored && { restored: options.restored }),
    ...(options.changed && { changed: options.changed }),
  })
  const deliverer = createDeliverer({ ...options, subscriptions: store })
  const trigger = createEventTrigger({ ...options, subscriptions: store, deliverer })
  return {
    store,
    notifications: {
      get subscriptions() {
        return store.all
      },
      get deliveries() {
        return deliverer.deliveries
      },
      trigger,
      settled: () => deliverer.settled(),
      clearDeliveries: () => deliverer.clear(),
    },
  }
}
