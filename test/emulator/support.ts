import { createEmulator, type Emulator, type EmulatorOptions } from '../../relay/emulator/emulator'
import { consentViaHttp } from '../support/consent'

// Shared set-up for the emulator tests: one registered client, a hand-cranked clock, and small
// helpers that speak to the real app through its fetch.

export const BASE = 'http://127.0.0.1'
export const REDIRECT_URI = 'http://localhost:5173/callback'

export const CLIENT = {
  clientId: 'test-client-id',
  clientSecret: 'test-client-secret',
  callbacks: [REDIRECT_URI, 'https://app.example.com/oauth/,https://other.example.com/'],
  name: 'Test <App> & Co',
}

/** 2025-06-15 10:00:00 UTC: a fixed "now" so seeded data and windows are reproducible. */
export const START = Date.UTC(2025, 5, 15, 10, 0, 0)

export interface Clock {
  now: () => number
  advance(ms: number): void
}

export function createClock(start = START): Clock {
  let time = start
  return {
    now: () => time,
    advance(ms) {
      time += ms
    },
  }
}

export function setup(options: Partial<EmulatorOptions> = {}) {
  const clock = createClock()
  const emulator = createEmulator({ clients: [CLIENT], now: clock.now, ...options })
  return { emulator, clock }
}

export function authorizeUrl(overrides: Record<string, string | undefined> = {}): string {
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: CLIENT.clientId,
    scope: 'user.info,user.metrics,user.activity',
    redirect_uri: REDIRECT_URI,
    state: 'state-123',
    ...overrides,
  }
  const query = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${encodeURIComponent(value)}`)
    .join('&')
  return `${BASE}/oauth2_user/authorize2?${query}`
}

export interface Envelope {
  status: number
  body: Record<string, unknown>
  error?: string
}

export async function envelopeOf(response: Response): Promise<Envelope> {
  if (response.status !== 200) throw new Error(`HTTP ${response.status}`)
  return (await response.json()) as Envelope
}

/** POST /v2/oauth2 with a form body. */
export async function tokenRequest(
  emulator: Emulator,
  form: Record<string, string>,
): Promise<Envelope> {
  const response = await emulator.fetch(
    new Request(`${BASE}/v2/oauth2`, { method: 'POST', body: new URLSearchParams(form) }),
  )
  return envelopeOf(response)
}

/** A fresh code through the real pages (sign-in or demo, then Accept). */
export async function codeFor(
  emulator: Emulator,
  overrides: Record<string, string | undefined> = {},
  account: { email?: string; password?: string } = {},
): Promise<string> {
  const callback = await consentViaHttp(authorizeUrl(overrides), {
    ...account,
    fetch: emulator.fetch,
  })
  const code = callback.searchParams.get('code')
  if (!code) throw new Error(`No code in ${callback.href}`)
  return code
}

export function exchangeCode(emulator: Emulator, code: string, redirectUri = REDIRECT_URI) {
  return tokenRequest(emulator, {
    action: 'requesttoken',
    grant_type: 'authorization_code',
    client_id: CLIENT.clientId,
    client_secret: CLIENT.clientSecret,
    code,
    redirect_uri: redirectUri,
  })
}

export function refresh(emulator: Emulator, refreshToken: string) {
  return tokenRequest(emulator, {
    action: 'requesttoken',
    grant_type: 'refresh_token',
    client_id: CLIENT.clientId,
    client_secret: CLIENT.clientSecret,
    refresh_token: refreshToken,
  })
}

export interface Tokens {
  access: string
  refresh: string
  body: Record<string, unknown>
}

export async function signedIn(
  emulator: Emulator,
  overrides: Record<string, string | undefined> = {},
  account: { email?: string; password?: string } = {},
): Promise<Tokens> {
  const result = await exchangeCode(emulator, await codeFor(emulator, overrides, account))
  if (result.status !== 0) throw new Error(`Exchange failed: ${JSON.stringify(result)}`)
  return {
    access: String(result.body.access_token),
    refresh: String(result.body.refresh_token),
    body: result.body,
  }
}

/** POST a data service with a form body and the bearer token. */
export async function dataCall(
  emulator: Emulator,
  service: string,
  params: Record<string, string>,
  accessToken?: string,
): Promise<Envelope> {
  const headers = new Headers()
  if (accessToken !== undefined) headers.set('authorization', `Bearer ${accessToken}`)
  const response = await emulator.fetch(
    new Request(`${BASE}/${service}`, {
      method: 'POST',
      headers,
      body: new URLSearchParams(params),
    }),
  )
  return envelopeOf(response)
}
