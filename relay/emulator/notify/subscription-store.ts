// Who asked to be notified of what: one entry per successful `subscribe`. Subscribing the same
// callback and category twice gives two entries, as Withings keeps them — the reference says so
// of notify-update: "If multiple subscriptions were made for a given user, callbackurl and appli,
// only one of the subscriptions will be updated" — so each is notified. Clients avoid the
// doubles by listing first (as Home Assistant's Withings integration does).

export interface Subscription {
  id: number
  clientId: string
  userid: number
  appli: number
  callbackurl: string
  /** null when the subscribe gave none. */
  comment: string | null
  /** Emulator clock, ms since the epoch. */
  createdAt: number
}

type SubscriptionFields = Omit<Subscription, 'id' | 'createdAt'>

export interface SubscriptionStore {
  readonly all: readonly Subscription[]
  add(fields: SubscriptionFields): Subscription
  /** One person's subscriptions for one client, oldest first; of one category if given. */
  of(clientId: string, userid: number, appli?: number): Subscription[]
  /** The newest with this callback and category (notify-get: "the last … subscribed"). */
  latest(
    clientId: string,
    userid: number,
    callbackurl: string,
    appli: number,
  ): Subscription | undefined
  /** Replaces the fields of the entry with this id; false when it is gone. */
  update(
    id: number,
    fields: Partial<Pick<Subscription, 'appli' | 'callbackurl' | 'comment'>>,
  ): boolean
  /** Removes every entry that `matches`; how many went. */
  remove(matches: (subscription: Subscription) => boolean): number
  /** Every subscription, of any client, to `appli` for `userid`: where an event goes. */
  listening(userid: number, appli: number): Subscription[]
}

export function createSubscriptionStore({
  now,
  restored = [],
  changed = () => {},
}: {
  now: () => number
  /** Subscriptions kept from an earlier run. */
  restored?: readonly Subscription[]
  /** Called after every change (to keep them). */
  changed?: () => void
}): SubscriptionStore {
  let entries: Subscription[] = [...restored]
  let lastId = Math.max(0, ...restored.map((entry) => entry.id))

  return {
    get all() {
      return entries
    },
    add(fields) {
      const subscription = { ...fields, id: ++lastId, createdAt: now() }
      entries.push(subscription)
      changed()
      return subscription
    },
    of(clientId, userid, appli) {
      return entries.filter(
        (entry) =>
          entry.clientId === clientId &&
          entry.userid === userid &&
          (appli === undefined || entry.appli === appli),
      )
    },
    latest(clientId, userid, callbackurl, appli) {
      return this.of(clientId, userid, appli).findLast((entry) => entry.callbackurl === callbackurl)
    },
    update(id, fields) {
      const entry = entries.find((candidate) => candidate.id === id)
      if (entry) Object.assign(entry, fields)
      changed()
      return entry !== undefined
    },
    remove(matches) {
      const before = entries.length
      entries = entries.filter((entry) => !matches(entry))
      changed()
      return before - entries.length
    },
    listening(userid, appli) {
      return entries.filter((entry) => entry.userid === userid && entry.appli === appli)
    },
  }
}
