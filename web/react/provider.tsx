import { createContext, type ReactNode, useContext, useEffect, useState } from 'react'
import type { PublicConfig, Scope } from '../../relay/contract/wire-contract'
import { buildAuthorizeUrl } from './auth/authorize-url'
import { hasCallbackSecrets, parseCallbackParams } from './auth/callback-params'
import { completeLogin, type LoginOutcome } from './auth/complete-login'
import { createPendingLogins, type LoginStorage, type PendingLogins } from './auth/pending-logins'
import { randomState } from './auth/random-state'
import { createRelayClient, type RelayClient } from './auth/relay-client'
import { createSessionChannel, type SessionChannel } from './auth/session-channel'
import { createSessionStore, type SessionStore } from './auth/session-store'
import { createStoredData, type StoredDataClient } from './auth/stored-data-client'
import { createWithingsData, type WithingsData } from './auth/withings-data'
import { createLiveEvents, type EventSourceLike, type LiveEvents } from './live/live-events'

export interface WithingsLinkOptions {
  /** The relay's base URL; empty (the default) when it shares the app's origin under /api. */
  relayUrl?: string
  /** Stand-ins for the browser's parts, for tests and unusual hosts. */
  relay?: RelayClient
  /** Where pending logins live: the tab's sessionStorage by default. */
  storage?: Storage
  /** How the page leaves for Withings' authorize page: `location.assign` by default. */
  navigate?: (url: string) => void
  channel?: SessionChannel
  lock?: <T>(task: () => Promise<T>) => Promise<T>
  /** Opens the live stream; the browser's EventSource by default. */
  eventSource?: (url: string) => EventSourceLike
}

export interface ConnectOptions {
  scopes: readonly Scope[]
  /** Sign in as Withings' demo user (`mode=demo`). */
  demo?: boolean
  /** Where the callback brings the person back; the current path by default. */
  returnTo?: string
  /** A state made ahead (to preview the exact URL); a fresh one by default. */
  state?: string
}

/** The kit's parts for one app: made once, shared by every component under the provider. */
export interface WithingsLinkKit {
  relay: RelayClient
  pendingLogins: PendingLogins
  store: SessionStore
  data: WithingsData
  /** The person's stored data (sync on). */
  stored: StoredDataClient
  /** The relay's live stream (notifications), open while a component listens. */
  live: LiveEvents
  /** The relay's public settings, asked once. */
  config(): Promise<PublicConfig>
  /** Binds a state at the relay and leaves for Withings' authorize page. */
  connect(options: ConnectOptions): Promise<void>
  /**
   * Finishes the login Withings sent the person back with (on the redirect URI's page): code and
   * state leave the address bar first, then the state is checked and the code exchanged, once.
   * Every later call joins it, until the address bar holds another callback. WithingsCallback
   * calls it; an app may call it before React's first render, since the code's 30 s are running.
   */
  completeCallback(): Promise<LoginOutcome>
}

/**
 * A kit an app made itself, before React's first render (`createWithingsLink`): hand it to
 * `<WithingsLinkProvider kit>`. Its parts stay behind the hooks.
 */
export interface WithingsLink {
  /**
   * Finishes the login Withings sent the person back with, on the redirect URI's page; the code's
   * 30 s are running, so an app may start it before React loads. WithingsCallback joins it.
   */
  completeCallback(): Promise<LoginOutcome>
}

const LinkContext = createContext<WithingsLinkKit | null>(null)
const madeByApps = new WeakMap<WithingsLink, WithingsLinkKit>()

function kitOf(link: WithingsLink): WithingsLinkKit {
  const kit = madeByApps.get(link)
  if (!kit) throw new TypeError('WithingsLinkProvider: `kit` must come from createWithingsLink().')
  return kit
}

/** A kit made ahead of the provider, so that a callback's exchange starts before React renders. */
export function createWithingsLink(options: WithingsLinkOptions = {}): WithingsLink {
  const kit = createKit(options)
  const link: WithingsLink = { completeCallback: kit.completeCallback }
  madeByApps.set(link, kit)
  return link
}

/** Withings' authorize URL for these settings and this login. */
export function authorizeUrlFor(
  settings: PublicConfig,
  { scopes, demo, state }: { scopes: readonly Scope[]; demo: boolean; state: string },
): string {
  return buildAuthorizeUrl({
    authorizeUrl: settings.authorize_url,
    clientId: settings.client_id,
    redirectUri: settings.redirect_uri,
    scopes,
    state,
    demo,
  })
}

/**
 * The tab's sessionStorage, looked up when a login is saved or taken rather than when the kit is
 * made, so that the provider also renders on a server (SSR), where there is none.
 */
const tabStorage: LoginStorage = {
  getItem: (key) => sessionStorage.getItem(key),
  setItem: (key, value) => sessionStorage.setItem(key, value),
  removeItem: (key) => sessionStorage.removeItem(key),
}

function createKit(options: WithingsLinkOptions): WithingsLinkKit {
  const relayUrl = options.relayUrl ?? ''
  const relay = options.relay ?? createRelayClient(relayUrl)
  const pendingLogins = createPendingLogins(options.storage ?? tabStorage)
  const navigate = options.navigate ?? ((url: string) => window.location.assign(url))
  const store = createSessionStore({
    relay,
    channel: options.channel ?? createSessionChannel(),
    ...(options.lock && { lock: options.lock }),
  })
  let config: Promise<PublicConfig> | undefined
  let callback: Promise<LoginOutcome> | undefined
  const kit: WithingsLinkKit = {
    relay,
    pendingLogins,
    store,
    data: createWithingsData({ relay, onSessionEnded: () => store.expire() }),
    stored: createStoredData({ relay, relayUrl, onSessionEnded: () => store.expire() }),
    live: createLiveEvents({
      url: `${relayUrl}/api/events`,
      // A relay on another origin needs the session cookie sent along (and CORS for it).
      open:
        options.eventSource ??
        ((url) => new EventSource(url, { withCredentials: relayUrl !== '' })),
    }),
    config() {
      // A failure is not kept: the next call asks again.
      config ??= relay.config().catch((error: unknown) => {
        config = undefined
        throw error
      })
      return config
    },
    async connect({ scopes, demo = false, returnTo, state = randomState() }) {
      const settings = await kit.config()
      const back = returnTo ?? `${window.location.pathname}${window.location.search}`
      pendingLogins.save({
        state,
        createdAt: Date.now(),
        returnTo: back,
        scopes: [...scopes],
        demo,
      })
      await relay.login(state)
      navigate(authorizeUrlFor(settings, { scopes, demo, state }))
    },
    completeCallback() {
      const { search, pathname } = window.location
      if (callback && !hasCallbackSecrets(search)) return callback
      // First of all: out of the address bar (and so history, bookmarks, screenshots).
      if (hasCallbackSecrets(search))
        window.history.replaceState(window.history.state, '', pathname)
      callback = completeLogin(parseCallbackParams(search), kit).then((outcome) => {
        if (outcome.kind === 'connected') store.connect(outcome.session)
        return outcome
      })
      return callback
    },
  }
  return kit
}

/**
 * "Connect Withings" for the components below it: the relay client, the session (restored by
 * `WithingsSessionRoute`, or by `useRestoreSession` where there is no router) and the data
 * client. It renews an expiring session when the tab wakes up or comes back online.
 */
export function WithingsLinkProvider({
  children,
  kit: made,
  ...options
}: WithingsLinkOptions & {
  children: ReactNode
  /** The kit, when the app made it itself (createWithingsLink) to start with it before rendering. */
  kit?: WithingsLink
}) {
  const [kit] = useState(() => (made ? kitOf(made) : createKit(options)))
  useEffect(() => {
    const wake = () => {
      if (document.visibilityState === 'visible') kit.store.checkExpiry()
    }
    document.addEventListener('visibilitychange', wake)
    window.addEventListener('online', wake)
    return () => {
      document.removeEventListener('visibilitychange', wake)
      window.removeEventListener('online', wake)
    }
  }, [kit])
  return <LinkContext.Provider value={kit}>{children}</LinkContext.Provider>
}

export function useWithingsLink(): WithingsLinkKit {
  const kit = useContext(LinkContext)
  if (!kit) throw new Error('withings-link: use it inside <WithingsLinkProvider>')
  return kit
}
