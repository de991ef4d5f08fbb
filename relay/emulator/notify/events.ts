import { addWeighing } from '../data/added-measures'
import type { MeasureGroup } from '../data/measure'
import type { SeedData } from '../data/seed-data'
import type { Deliverer, Delivery } from './deliveries'
import type { SubscriptionStore } from './subscription-store'

// What happens in a person's home, as the emulator's control API and landing page trigger it:
// getting into or out of bed, a Sleep Analyzer's set-up inflation done, a new weighing. Each is
// then notified to the subscriptions of its category, with the fields Withings sends for it
// (notification content page): `userid, appli, startdate, enddate` for new data, `userid,
// appli, date, deviceid` for bed events (`date` a Unix time, one of the forms that page gives).

export type NotifyEvent =
  | { type: 'bed_in' | 'bed_out' | 'inflate_done'; userid: number }
  | { type: 'weighing'; userid: number; kg?: number | undefined }

export const EVENT_TYPES = ['bed_in', 'bed_out', 'inflate_done', 'weighing'] as const

const EVENT_APPLI: Record<NotifyEvent['type'], number> = {
  weighing: 1,
  bed_in: 50,
  bed_out: 51,
  inflate_done: 52,
}

export interface Triggered {
  event: NotifyEvent
  appli: number
  payload: Record<string, string>
  /** One per matching subscription, each after its first try. */
  deliveries: Delivery[]
  /** The group a weighing added to the person's measures. */
  measuregrp?: MeasureGroup
}

export function createEventTrigger({
  data,
  subscriptions,
  deliverer,
  now,
}: {
  data: SeedData
  subscriptions: SubscriptionStore
  deliverer: Deliverer
  now: () => number
}): (event: NotifyEvent) => Promise<Triggered> {
  return async function trigger(event) {
    const at = Math.floor(now() / 1000)
    const appli = EVENT_APPLI[event.type]
    const common = { userid: String(event.userid), appli: String(appli) }
    let payload: Record<string, string>
    let measuregrp: MeasureGroup | undefined
    if (event.type === 'weighing') {
      measuregrp = addWeighing(data, event.userid, { at, kg: event.kg })
      // One second that holds the new group, whether a client reads enddate as inclusive or not.
      payload = { ...common, startdate: String(at), enddate: String(at + 1) }
    } else {
      // The bed sensor: the person's Sleep Analyzer, as getdevice lists it.
      payload = {
        ...common,
        date: String(at),
        deviceid: data.of(event.userid).devices.sleep.deviceid,
      }
    }
    const deliveries = await deliverer.send(subscriptions.listening(event.userid, appli), payload)
    return { event, appli, payload, deliveries, ...(measuregrp && { measuregrp }) }
  }
}
