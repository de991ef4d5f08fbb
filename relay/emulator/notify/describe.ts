import { findUser, type SeededUser } from '../users'
import { categoryOf } from './categories'
import type { Delivery, DeliveryAttempt } from './deliveries'
import type { Triggered } from './events'

// Plain sentences for a person at the landing page: what was triggered and what each callback
// made of it.

function describeAttempt(attempt: DeliveryAttempt | undefined): string {
  if (!attempt) return 'not tried yet'
  switch (attempt.outcome) {
    case 'delivered':
      return `delivered (HTTP ${attempt.httpStatus} in ${attempt.durationMs} ms)`
    case 'refused':
      return `refused with HTTP ${attempt.httpStatus}`
    case 'timeout':
      return `no answer within the deadline (${attempt.durationMs} ms)`
    case 'unreachable':
      return 'could not be reached'
  }
}

export function describeDelivery(delivery: Delivery): string {
  const last = describeAttempt(delivery.attempts.at(-1))
  const tries = delivery.attempts.length === 1 ? '1 try' : `${delivery.attempts.length} tries`
  switch (delivery.state) {
    case 'delivered':
      return last
    case 'pending':
      return `${last}; Withings retries later (${tries} so far)`
    case 'failed':
      return `${last}; gave up after ${tries}${delivery.subscriptionRemoved ? ', subscription removed' : ''}`
    case 'cancelled':
      return `${last}; stopped, the subscription was revoked`
  }
}

export function describeTriggered(triggered: Triggered, users: readonly SeededUser[]): string {
  const who =
    findUser(users, triggered.event.userid)?.displayName ?? `userid ${triggered.event.userid}`
  const category = `${categoryOf(triggered.appli)?.name ?? 'Category'} (appli ${triggered.appli})`
  const weight = triggered.measuregrp?.measures[0]
  const what = weight
    ? `A weighing of ${weight.value / 1000} kg was added to ${who}'s measures, and getmeas now returns it. ${category}`
    : `${category} for ${who}`
  if (triggered.deliveries.length === 0) {
    return `${what}: nobody is subscribed to this category for ${who}, so nothing was sent.`
  }
  const sent = triggered.deliveries.map(
    (delivery) => `${delivery.callbackurl} — ${describeDelivery(delivery)}`,
  )
  return `${what}: sent to ${sent.join('; ')}.`
}
