import { parseCallbacks } from './callbacks'

/** A partner application registered with the emulator (Withings' "developer dashboard" entry). */
export interface EmulatorClient {
  clientId: string
  clientSecret: string
  /** Callback URLs; an entry may itself be a comma-separated list, as on the dashboard. */
  callbacks: string[]
  /** Shown on the consent page. */
  name?: string
}

export interface RegisteredClient {
  clientId: string
  clientSecret: string
  name: string
  callbacks: readonly URL[]
}

export type ClientRegistry = ReadonlyMap<string, RegisteredClient>

export function createClientRegistry(clients: readonly EmulatorClient[]): ClientRegistry {
  const registry = new Map<string, RegisteredClient>()
  for (const client of clients) {
    if (!client.clientId || !client.clientSecret) {
      throw new Error('Emulator clients need a non-empty clientId and clientSecret')
    }
    registry.set(client.clientId, {
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      name: client.name?.trim() || 'Unnamed application',
      callbacks: parseCallbacks(client.callbacks),
    })
  }
  return registry
}
